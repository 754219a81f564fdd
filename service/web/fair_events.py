"""The organizer's fair: events (create, overview), the long steps as jobs with live progress
(match lists, planning), and the requests overview. Pages live under /fairs; the JSON API keeps
/events."""

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from starlette.datastructures import FormData

from service.api.deps import JobsDep, MatchmakerDep, SessionDep, UnitOfWorkDep
from service.errors import Invalid
from service.fairs.api import EventDep
from service.fairs.tables import EventCreate, RequestStatus
from service.fairs.usecases import events, matchlists, outcomes, plans, requests
from service.jobs import JobState
from service.web.core import FormDep, PageRoute, Visitor, redirect, render
from service.web.deps import OrganizerVisitor
from service.web.forms import FormErrors, fields_of, text, texts, validated

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_SESSIONS = 50  # as EventCreate allows
# offered in the time-zone box; any IANA name is accepted
ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Dubai",
    "Asia/Almaty",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "UTC",
)
EVENTS_PAGE = 50


def _sessions(form: FormData) -> list[dict[str, object]]:
    """One session per filled row: a day, a start and an end time, a meeting time or a break."""
    rows: list[dict[str, object]] = []
    days, starts = texts(form, "session_day"), texts(form, "session_start")
    ends, kinds = texts(form, "session_end"), texts(form, "session_kind")
    for day, start, end, kind in zip(days, starts, ends, kinds, strict=False):
        if day or start or end:
            rows.append(
                {
                    "starts_at": f"{day}T{start}",
                    "ends_at": f"{day}T{end}",
                    "is_break": kind == "break",
                }
            )
    return rows[: MAX_SESSIONS + 1]  # one too many still reaches the schema, which says so


def _session_rows(data: dict[str, object]) -> list[dict[str, str]]:
    """The form's session rows back from the schema's shape, plus an empty one to add."""
    rows = []
    sessions = data.get("sessions")
    for s in sessions if isinstance(sessions, list) else []:
        assert isinstance(s, dict)
        day, _, start = str(s["starts_at"]).partition("T")
        rows.append(
            {
                "day": day,
                "start": start[:5],
                "end": str(s["ends_at"]).partition("T")[2][:5],
                "kind": "break" if s.get("is_break") else "meeting",
            }
        )
    return [*rows, {"day": "", "start": "", "end": "", "kind": "meeting"}]


def _event_form(
    v: Visitor, data: dict[str, object], errors: dict[str, str], status: int
) -> Response:
    return render(
        v,
        "event_form.html",
        status,
        form=data,
        sessions=_session_rows(data),
        errors=errors,
        zones=ZONES,
    )


@router.get("/fairs")
def list_fairs(
    v: OrganizerVisitor, session: SessionDep, offset: Annotated[int, Query(ge=0)] = 0
) -> Response:
    """Every event, latest first."""
    rows, total = events.list_events(session, offset=offset, limit=EVENTS_PAGE)
    return render(
        v,
        "fairs.html",
        items=[events.show_event(session, e) for e in rows],
        total=total,
        offset=offset,
    )


@router.get("/fairs/new")
def new_fair(v: OrganizerVisitor) -> Response:
    """An empty event form: one day, a morning and an afternoon with a lunch break."""
    day = (date.today() + timedelta(days=30)).isoformat()
    data: dict[str, object] = {
        "timezone": "Asia/Shanghai",
        "meeting_minutes": 15,
        "n_tables": 20,
        "top_k": 10,
        "starts_on": day,
        "ends_on": day,
        "sessions": [
            {"starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00"},
            {"starts_at": f"{day}T10:30", "ends_at": f"{day}T10:45", "is_break": True},
            {"starts_at": f"{day}T13:30", "ends_at": f"{day}T17:00"},
        ],
    }
    return _event_form(v, data, {}, 200)


@router.post("/fairs/new")
def create_fair(v: OrganizerVisitor, form: FormDep, uow: UnitOfWorkDep) -> Response:
    """Create the event; its page shows the next steps."""
    data = {**fields_of(form, EventCreate), "sessions": _sessions(form)}
    if "add_session" in form:
        return _event_form(v, data, {}, 200)
    try:
        created = validated(EventCreate, data)
        event = events.create_event(uow, created)
    except FormErrors as exc:
        return _event_form(v, data, exc.errors, 422)
    except Invalid as exc:  # the use-case's own rules, e.g. a session outside the dates
        field, _, message = exc.detail.partition(": ")
        return _event_form(v, data, {field: message or exc.detail}, 422)
    return redirect(v, f"/fairs/{event.id}")


@router.get("/fairs/{event_id}")
def show_fair(v: OrganizerVisitor, event: EventDep, uow: UnitOfWorkDep) -> Response:
    """The event at a glance and its steps in order: participants, match lists, requests,
    schedule, day sheets and downloads, outcomes and the report."""
    return render(
        v,
        "fair.html",
        event=events.show_event(uow.session, event),
        report=outcomes.report(uow, event),
    )


@router.post("/fairs/{event_id}/match-lists")
def build_match_lists(
    v: OrganizerVisitor, event: EventDep, form: FormDep, mm: MatchmakerDep, jobs: JobsDep
) -> Response:
    """Start rebuilding every participant's match list; the job page shows its progress."""
    job = matchlists.start_match_lists(jobs, mm, event)
    return redirect(v, f"/fairs/{event.id}/jobs/{job.id}")


@router.post("/fairs/{event_id}/schedule")
def plan_fair(
    v: OrganizerVisitor, event: EventDep, form: FormDep, mm: MatchmakerDep, jobs: JobsDep
) -> Response:
    """Plan from scratch, or (keep) re-plan moving as few meetings as possible; locked
    meetings stay either way."""
    job = plans.start_schedule(jobs, mm, event, keep=text(form, "keep") == "1")
    return redirect(v, f"/fairs/{event.id}/jobs/{job.id}")


@router.get("/fairs/{event_id}/jobs/{job_id}")
def job_progress(v: OrganizerVisitor, event: EventDep, job_id: str, jobs: JobsDep) -> Response:
    """A job's progress, live: htmx asks again every second until it ends (without
    JavaScript the page refreshes itself)."""
    job = jobs.status(job_id[:40])
    running = job.state in (JobState.queued, JobState.running)
    template = "_job.html" if v.htmx else "job.html"
    return render(v, template, event_id=event.id, job=job, running=running)


@router.get("/fairs/{event_id}/requests")
def request_overview(
    v: OrganizerVisitor,
    event: EventDep,
    uow: UnitOfWorkDep,
    status: Literal["", "pending", "accepted", "declined", "expired"] = "",
) -> Response:
    """Every meeting request with its message, by status (expired ones marked on the way)."""
    rows = requests.views(uow, event)
    counts = {s: sum(r.status is s for r in rows) for s in RequestStatus}
    shown = [r for r in rows if not status or r.status == status]
    return render(v, "fair_requests.html", event=event, items=shown, counts=counts, status=status)
