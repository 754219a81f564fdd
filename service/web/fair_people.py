"""People at a fair: the organizer's participant list; a participant's page (its match list,
meeting requests in and out with their messages, contacts once both accepted, availability in
the event's time zone, agenda); asking for a meeting; an enterprise's own fairs."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from service.api.deps import MatchmakerDep, SessionDep, UnitOfWorkDep
from service.errors import Invalid, NotFound
from service.fairs.api import EventDep
from service.fairs.scheduling.timeslots import parse_window
from service.fairs.tables import Event, MeetingRequestCreate, Participant, ParticipantUpdate
from service.fairs.usecases import events, matchlists, requests
from service.web.core import FormDep, PageRoute, Visitor, local_path, redirect, render
from service.web.deps import KeyHolderVisitor, Member, OrganizerVisitor, OwnPlace
from service.web.forms import text, texts

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PEOPLE_PAGE = 100
MAX_WINDOWS = 20  # as ParticipantUpdate allows
EVERY_DAY = "every"


def meetable(session: Session, v: Visitor) -> set[int]:
    """Enterprises the signed-in one may ask for a meeting at a coming fair (for the links
    beside search results and recommendations)."""
    if v.me is None or v.me.id is None:
        return set()
    return set(events.meeting_chances(session, v.me.id))


@router.get("/fairs/{event_id}/participants")
def participant_list(
    v: OrganizerVisitor,
    event: EventDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Everyone enrolled, with links to each one's match list, day sheet and agenda."""
    items, total = events.list_participants(
        session, event, role=None, offset=offset, limit=PEOPLE_PAGE
    )
    return render(v, "participants.html", event=event, items=items, total=total, offset=offset)


def _days(event: Event) -> list[str]:
    span = (event.ends_on - event.starts_on).days
    return [(event.starts_on + timedelta(days=i)).isoformat() for i in range(span + 1)]


def _windows(p: Participant) -> list[dict[str, str]]:
    """Stored windows as form rows, plus an empty one to add one more."""
    rows = []
    for w in (parse_window(window) for window in p.available):
        rows.append(
            {
                "day": w.day.isoformat() if w.day else EVERY_DAY,
                "start": f"{w.start:%H:%M}",
                "end": f"{w.end:%H:%M}",
            }
        )
    return [*rows, {"day": EVERY_DAY, "start": "", "end": ""}]


def _place_page(
    v: Visitor,
    uow: UnitOfWorkDep,
    event: Event,
    p: Participant,
    status: int = 200,
    error: str = "",
) -> Response:
    session = uow.session
    assert p.id is not None
    mine = requests.views(uow, event, p)
    asked = {
        r.to_id if r.from_id == p.id else r.from_id
        for r in mine
        if r.status in ("pending", "accepted")
    }
    return render(
        v,
        "place.html",
        status,
        event=event,
        place=events.show_participant(session, p),
        matches=matchlists.match_list(session, p).items,
        incoming=[r for r in mine if r.to_id == p.id],
        outgoing=[r for r in mine if r.from_id == p.id],
        asked=asked,
        contacts=requests.contacts(session, event, p),
        windows=_windows(p),
        days=_days(event),
        error=error,
        private=True,
    )


@router.get("/fairs/{event_id}/participants/{participant_id}")
def place_page(v: KeyHolderVisitor, p: OwnPlace, event: EventDep, uow: UnitOfWorkDep) -> Response:
    """A participant's fair: match list, requests, contacts, availability and agenda (its own
    company or the organizer)."""
    return _place_page(v, uow, event, p)


@router.post("/fairs/{event_id}/participants/{participant_id}/requests")
def ask_for_meeting(
    v: KeyHolderVisitor, p: OwnPlace, event: EventDep, form: FormDep, uow: UnitOfWorkDep
) -> Response:
    """Send a request with a short message (why meet) to another participant."""
    assert p.id is not None
    to = text(form, "to_id")
    try:
        draft = MeetingRequestCreate(
            from_id=p.id, to_id=int(to) if to.isdigit() else -1, message=text(form, "message")
        )
    except ValidationError as exc:
        raise Invalid(f"message: {exc.errors()[0]['msg']}") from exc
    requests.send_request(uow, event, draft)
    default = f"/fairs/{event.id}/participants/{p.id}?sent=1#outgoing"
    return redirect(v, local_path(text(form, "next"), default))


@router.post("/fairs/{event_id}/participants/{participant_id}/requests/{request_id}/answer")
def answer_request(
    v: KeyHolderVisitor,
    p: OwnPlace,
    event: EventDep,
    request_id: int,
    form: FormDep,
    uow: UnitOfWorkDep,
    mm: MatchmakerDep,
) -> Response:
    """Accept or decline a request this participant received; accepting shares contacts."""
    r = requests.get_request(uow.session, event, request_id)
    if r.to_id != p.id:
        raise NotFound(f"request {request_id} was not sent to participant {p.id}")
    requests.answer_request(uow, mm, event, r, text(form, "answer") == "accept")
    return redirect(v, f"/fairs/{event.id}/participants/{p.id}#incoming")


def _available(form: FormData) -> list[str]:
    windows = []
    for day, start, end in zip(
        texts(form, "window_day"),
        texts(form, "window_start"),
        texts(form, "window_end"),
        strict=False,
    ):
        if start or end:
            prefix = "" if day in ("", EVERY_DAY) else f"{day} "
            windows.append(f"{prefix}{start}-{end}")
    return windows[: MAX_WINDOWS + 1]


@router.post("/fairs/{event_id}/participants/{participant_id}/availability")
def set_availability(
    v: KeyHolderVisitor, p: OwnPlace, event: EventDep, form: FormDep, uow: UnitOfWorkDep
) -> Response:
    """When this participant can meet, in the event's local time (no rows: the whole event)."""
    try:
        change = ParticipantUpdate(available=_available(form))
    except ValidationError as exc:
        return _place_page(v, uow, event, p, 422, error=exc.errors()[0]["msg"])
    events.update_participant(uow, p, change)
    return redirect(v, f"/fairs/{event.id}/participants/{p.id}?saved=1#availability")


@router.get("/me/fairs")
def my_fairs(v: Member, session: SessionDep) -> Response:
    """The fairs this company takes part in."""
    me = v.enterprise()
    assert me.id is not None
    return render(v, "my_fairs.html", items=events.my_events(session, me.id))
