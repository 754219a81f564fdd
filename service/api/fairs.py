"""Fair organizer workflow: events, participants, spreadsheets, match lists, meeting requests,
the schedule, agendas, outcomes and the report. Organizer actions need the admin key;
participants act with their enterprise's key."""

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status

from service.api.deps import JobsDep, MatchmakerDep, PrincipalDep, SessionDep
from service.entities import EnterprisePrivate, Page
from service.errors import BadRequest
from service.fairs import agendas, importer
from service.fairs.tables import (
    Event,
    EventCreate,
    EventPublic,
    EventReport,
    EventUpdate,
    MatchList,
    Meeting,
    MeetingPublic,
    MeetingRequest,
    MeetingRequestCreate,
    MeetingRequestPublic,
    OutcomeCreate,
    OutcomePublic,
    Participant,
    ParticipantCreate,
    ParticipantPublic,
    ParticipantRole,
    ParticipantUpdate,
    RequestAnswer,
)
from service.jobs import JobStatus
from service.usecases import fair_matching, fair_schedule, fairs

router = APIRouter(prefix="/events", tags=["fairs"])
SpreadsheetFormat = Literal["xlsx", "csv"]
AgendaFormat = Literal["html", "pdf", "ics"]
_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "ics": "text/calendar; charset=utf-8",
}


def get_event(event_id: int, session: SessionDep) -> Event:
    return fairs.get_event(session, event_id)


EventDep = Annotated[Event, Depends(get_event)]


def get_participant(participant_id: int, event: EventDep, session: SessionDep) -> Participant:
    return fairs.get_participant(session, event, participant_id)


def get_request(request_id: int, event: EventDep, session: SessionDep) -> MeetingRequest:
    return fair_matching.get_request(session, event, request_id)


def get_meeting(meeting_id: int, event: EventDep, session: SessionDep) -> Meeting:
    return fair_schedule.get_meeting(session, event, meeting_id)


ParticipantDep = Annotated[Participant, Depends(get_participant)]
RequestDep = Annotated[MeetingRequest, Depends(get_request)]
MeetingDep = Annotated[Meeting, Depends(get_meeting)]


def _file(content: bytes, fmt: str, name: str) -> Response:
    return Response(
        content,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def _id(row: Event) -> int:
    assert row.id is not None
    return row.id


# --- events and participants ---------------------------------------------------------------


@router.post("", status_code=status.HTTP_201_CREATED)
def create_event(data: EventCreate, session: SessionDep, who: PrincipalDep) -> EventPublic:
    """Organizer only: an event with its sessions (and breaks), tables and meeting length."""
    who.require_admin()
    return fairs.show_event(session, fairs.create_event(session, data))


@router.get("")
def list_events(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[EventPublic]:
    """Events, latest first."""
    rows, total = fairs.list_events(session, offset=offset, limit=limit)
    items = [fairs.show_event(session, e) for e in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/{event_id}")
def read_event(event: EventDep, session: SessionDep) -> EventPublic:
    """An event with its sessions and how many meeting rounds they hold."""
    return fairs.show_event(session, event)


@router.patch("/{event_id}")
def update_event(
    event: EventDep, data: EventUpdate, session: SessionDep, who: PrincipalDep
) -> EventPublic:
    """Organizer only: change an event; re-plan afterwards to fit meetings to new rounds."""
    who.require_admin()
    return fairs.show_event(session, fairs.update_event(session, event, data))


@router.delete("/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_event(event: EventDep, session: SessionDep, who: PrincipalDep) -> Response:
    """Organizer only: delete an event with its participants, requests and plan."""
    who.require_admin()
    fairs.delete_event(session, event)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{event_id}/participants", status_code=status.HTTP_201_CREATED)
def add_participant(
    event: EventDep, data: ParticipantCreate, session: SessionDep, who: PrincipalDep
) -> ParticipantPublic:
    """Organizer only: enrol a registered enterprise as a supplier or buyer."""
    who.require_admin()
    return fairs.show_participant(session, fairs.add_participant(session, event, data))


@router.get("/{event_id}/participants")
def list_participants(
    event: EventDep,
    session: SessionDep,
    role: ParticipantRole | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[ParticipantPublic]:
    """Participants with their public profiles (never contact details)."""
    items, total = fairs.list_participants(session, event, role=role, offset=offset, limit=limit)
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/{event_id}/participants/{participant_id}")
def read_participant(p: ParticipantDep, session: SessionDep) -> ParticipantPublic:
    """One participant with its public profile."""
    return fairs.show_participant(session, p)


@router.patch("/{event_id}/participants/{participant_id}")
def update_participant(
    p: ParticipantDep, data: ParticipantUpdate, session: SessionDep, who: PrincipalDep
) -> ParticipantPublic:
    """Change availability, cap, lists or cancel (the participant or the organizer)."""
    who.require_change(p.enterprise_id)
    return fairs.show_participant(session, fairs.update_participant(session, p, data))


# --- spreadsheets --------------------------------------------------------------------------


@router.post("/{event_id}/imports", status_code=status.HTTP_202_ACCEPTED)
def import_participants(
    event: EventDep,
    session: SessionDep,
    mm: MatchmakerDep,
    jobs: JobsDep,
    who: PrincipalDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, one row per enterprise")],
    mapping: Annotated[
        str,
        Form(
            max_length=4000, description='JSON: our column -> your header, e.g. {"name": "Company"}'
        ),
    ] = "{}",
) -> JobStatus:
    """Organizer only: upsert profiles by external id and enrol them, all or nothing.

    Every row is checked before the job starts (422 lists each bad cell); the job embeds and
    writes, with progress at /jobs/{id}.
    """
    who.require_admin()
    data = file.file.read(importer.MAX_FILE_BYTES + 1)
    try:
        columns = json.loads(mapping)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"mapping: not JSON ({exc.msg})") from exc
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise BadRequest('mapping: expected an object of strings, e.g. {"name": "Company"}')
    fmt = importer.detect_format(file.filename or "", data)
    fairs.check_import(session, data, fmt, columns)
    event_id = _id(event)
    return jobs.submit(
        "import",
        lambda progress: fairs.in_session(
            mm,
            event_id,
            lambda s, e: fairs.import_participants(s, mm, e, data, fmt, columns, progress),
        ).model_dump(),
    )


@router.get("/{event_id}/participants.{fmt}")
def export_participants(
    event: EventDep, fmt: SpreadsheetFormat, session: SessionDep, who: PrincipalDep
) -> Response:
    """Organizer only: the participants in the import layout, with contact details."""
    who.require_admin()
    return _file(
        fairs.export_participants(session, event, fmt), fmt, f"event-{event.id}-participants"
    )


# --- match lists and requests --------------------------------------------------------------


@router.post("/{event_id}/match-lists", status_code=status.HTTP_202_ACCEPTED)
def build_match_lists(
    event: EventDep, mm: MatchmakerDep, jobs: JobsDep, who: PrincipalDep
) -> JobStatus:
    """Organizer only: rebuild every participant's top-k partners (a job with progress)."""
    who.require_admin()
    event_id = _id(event)
    return jobs.submit(
        "match-lists",
        lambda progress: fairs.in_session(
            mm, event_id, lambda s, e: fair_matching.build_match_lists(s, mm, e, progress)
        ),
    )


@router.get("/{event_id}/participants/{participant_id}/matches")
def read_match_list(
    event: EventDep, p: ParticipantDep, session: SessionDep, who: PrincipalDep
) -> MatchList:
    """A participant's partners in the event, best first, with reasons (own key or organizer)."""
    who.require_change(p.enterprise_id)
    return fair_matching.match_list(session, event, p)


@router.post("/{event_id}/requests", status_code=status.HTTP_201_CREATED)
def send_request(
    event: EventDep, data: MeetingRequestCreate, session: SessionDep, who: PrincipalDep
) -> MeetingRequestPublic:
    """Ask another participant for a meeting (as the requesting participant's enterprise)."""
    r = fair_matching.send_request(session, event, data, who)
    return MeetingRequestPublic.model_validate(r, from_attributes=True)


@router.post("/{event_id}/requests/{request_id}/answer")
def answer_request(
    event: EventDep,
    r: RequestDep,
    answer: RequestAnswer,
    session: SessionDep,
    mm: MatchmakerDep,
    who: PrincipalDep,
) -> MeetingRequestPublic:
    """Accept or decline a pending request (its recipient or the organizer)."""
    r = fair_matching.answer_request(session, mm, event, r, answer.accept, who)
    return MeetingRequestPublic.model_validate(r, from_attributes=True)


@router.get("/{event_id}/participants/{participant_id}/requests")
def list_requests(
    event: EventDep, p: ParticipantDep, session: SessionDep, who: PrincipalDep
) -> list[MeetingRequestPublic]:
    """Requests sent and received by a participant, expired ones marked."""
    rows = fair_matching.list_requests(session, event, p, who)
    return [MeetingRequestPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/{event_id}/participants/{participant_id}/contacts")
def list_contacts(
    event: EventDep, p: ParticipantDep, session: SessionDep, who: PrincipalDep
) -> list[EnterprisePrivate]:
    """Contact details of partners who accepted a meeting with this participant (and only those)."""
    return fair_matching.contacts(session, event, p, who)


# --- schedule, agendas, outcomes, report ---------------------------------------------------


@router.post("/{event_id}/schedule", status_code=status.HTTP_202_ACCEPTED)
def generate_schedule(
    event: EventDep,
    mm: MatchmakerDep,
    jobs: JobsDep,
    who: PrincipalDep,
    keep: Annotated[bool, Query(description="Re-plan: move as few meetings as possible")] = False,
) -> JobStatus:
    """Organizer only: place accepted requests and listed pairs into rounds and tables (a job)."""
    who.require_admin()
    event_id = _id(event)
    return jobs.submit(
        "schedule",
        lambda progress: fairs.in_session(
            mm,
            event_id,
            lambda s, e: fair_schedule.generate_schedule(s, e, keep=keep, progress=progress),
        ).model_dump(),
    )


@router.get("/{event_id}/meetings")
def list_meetings(event: EventDep, session: SessionDep, who: PrincipalDep) -> list[MeetingPublic]:
    """Organizer only: the plan, round by round."""
    who.require_admin()
    return [
        MeetingPublic.model_validate(m, from_attributes=True)
        for m in fair_schedule.meetings(session, event)
    ]


@router.get("/{event_id}/grid.{fmt}")
def export_grid(
    event: EventDep, fmt: SpreadsheetFormat, session: SessionDep, who: PrincipalDep
) -> Response:
    """Organizer only: the whole plan as a round x table grid."""
    who.require_admin()
    return _file(fair_schedule.grid(session, event, fmt), fmt, f"event-{event.id}-grid")


@router.get("/{event_id}/participants/{participant_id}/agenda.{fmt}")
def read_agenda(
    event: EventDep, p: ParticipantDep, fmt: AgendaFormat, session: SessionDep, who: PrincipalDep
) -> Response:
    """A participant's agenda as printable HTML, PDF or an iCalendar file (own key or organizer)."""
    a = fair_schedule.agenda(session, event, p, who)
    render = {
        "html": lambda: agendas.to_html(a).encode(),
        "pdf": lambda: agendas.to_pdf(a),
        "ics": lambda: agendas.to_ics(a),
    }
    return _file(render[fmt](), fmt, f"agenda-{event.id}-{p.id}")


@router.put("/{event_id}/meetings/{meeting_id}/outcome")
def record_outcome(
    m: MeetingDep, data: OutcomeCreate, session: SessionDep, who: PrincipalDep
) -> OutcomePublic:
    """Record whether a meeting was held, its rating and the intended deal (a side or organizer)."""
    row = fair_schedule.record_outcome(session, m, data, who)
    return OutcomePublic.model_validate(row, from_attributes=True)


@router.get("/{event_id}/report")
def read_report(event: EventDep, session: SessionDep, who: PrincipalDep) -> EventReport:
    """Organizer only: requests, meetings held, coverage per participant and intended deals."""
    who.require_admin()
    return fair_schedule.report(session, event)
