"""Fair organizer workflow: events, participants, spreadsheets, match lists, meeting requests,
the schedule, agendas, outcomes and the report. Organizer actions need the admin key;
participants act with their enterprise's key."""

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status

from service.api.deps import (
    JobsDep,
    KeyHolder,
    MatchmakerDep,
    Organizer,
    SessionDep,
    UnitOfWorkDep,
)
from service.api.errors import errors, raises
from service.entities import EnterprisePrivate, Page
from service.errors import Invalid
from service.fairs import agendas, spreadsheets
from service.fairs.tables import (
    Event,
    EventCreate,
    EventPublic,
    EventReport,
    EventUpdate,
    MatchList,
    Meeting,
    MeetingChange,
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
from service.fairs.usecases import board, events, imports, matchlists, outcomes, plans, requests
from service.jobs import JobStatus
from service.payloads import MAX_INT, Id, Pair
from service.usecases import access

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


def get_event(event_id: Id, session: SessionDep) -> Event:
    return events.get_event(session, event_id)


EventDep = Annotated[Event, Depends(get_event)]


def get_participant(participant_id: Id, event: EventDep, session: SessionDep) -> Participant:
    return events.get_participant(session, event, participant_id)


ParticipantDep = Annotated[Participant, Depends(get_participant)]


@raises(403)
async def own_participant(who: KeyHolder, p: ParticipantDep) -> Participant:
    """The participant's own enterprise, or the organizer."""
    access.require_owner(who, p.enterprise_id)
    return p


@raises(403)
def requester(
    who: KeyHolder, data: MeetingRequestCreate, event: EventDep, session: SessionDep
) -> MeetingRequestCreate:
    """A request sent as participant `from_id`, by its enterprise (or the organizer)."""
    sender = events.get_participant(session, event, data.from_id)
    access.require_owner(who, sender.enterprise_id)
    return data


@raises(403)
def request_to_me(
    who: KeyHolder, request_id: Id, event: EventDep, session: SessionDep
) -> MeetingRequest:
    """A request the caller's enterprise received (or any, for the organizer)."""
    r = requests.get_request(session, event, request_id)
    access.require_owner(who, events.get_participant(session, event, r.to_id).enterprise_id)
    return r


@raises(403)
def meeting_of_mine(
    who: KeyHolder, meeting_id: Id, event: EventDep, session: SessionDep
) -> Meeting:
    """A meeting the caller's enterprise takes part in (or any, for the organizer)."""
    m = outcomes.get_meeting(session, event, meeting_id)
    sides = {
        events.get_participant(session, event, i).enterprise_id for i in (m.supplier_id, m.buyer_id)
    }
    access.require_one_of(who, sides)
    return m


OwnParticipant = Annotated[Participant, Depends(own_participant)]
OwnRequestDraft = Annotated[MeetingRequestCreate, Depends(requester)]
RequestToMe = Annotated[MeetingRequest, Depends(request_to_me)]
MeetingOfMine = Annotated[Meeting, Depends(meeting_of_mine)]


def _files(*formats: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route answering a file in one of `formats`."""
    types = {_MEDIA[f].split(";")[0]: {"schema": {"type": "string"}} for f in formats}
    return {200: {"description": "The file.", "content": types}}


def _file(content: bytes, fmt: str, name: str) -> Response:
    return Response(
        content,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


# --- events and participants ---------------------------------------------------------------


@router.post("", status_code=status.HTTP_201_CREATED)
def create_event(_: Organizer, data: EventCreate, uow: UnitOfWorkDep) -> EventPublic:
    """Organizer only: an event with its sessions (and breaks), tables and meeting length."""
    return events.show_event(uow.session, events.create_event(uow, data))


@router.get("")
def list_events(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[EventPublic]:
    """Events, latest first."""
    rows, total = events.list_events(session, offset=offset, limit=limit)
    items = [events.show_event(session, e) for e in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/{event_id}")
def read_event(event: EventDep, session: SessionDep) -> EventPublic:
    """An event with its sessions and how many meeting rounds they hold."""
    return events.show_event(session, event)


@router.patch("/{event_id}")
def update_event(
    _: Organizer, event: EventDep, data: EventUpdate, uow: UnitOfWorkDep
) -> EventPublic:
    """Organizer only: change an event; re-plan afterwards to fit meetings to new rounds."""
    return events.show_event(uow.session, events.update_event(uow, event, data))


@router.delete("/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_event(_: Organizer, event: EventDep, uow: UnitOfWorkDep) -> Response:
    """Organizer only: delete an event with its participants, requests and plan."""
    events.delete_event(uow, event)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{event_id}/participants", status_code=status.HTTP_201_CREATED)
def add_participant(
    _: Organizer, event: EventDep, data: ParticipantCreate, uow: UnitOfWorkDep
) -> ParticipantPublic:
    """Organizer only: enrol a registered enterprise as a supplier or buyer."""
    return events.show_participant(uow.session, events.add_participant(uow, event, data))


@router.get("/{event_id}/participants")
def list_participants(
    event: EventDep,
    session: SessionDep,
    role: ParticipantRole | None = None,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[ParticipantPublic]:
    """Participants with their public profiles (never contact details)."""
    items, total = events.list_participants(session, event, role=role, offset=offset, limit=limit)
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/{event_id}/participants/{participant_id}")
def read_participant(p: ParticipantDep, session: SessionDep) -> ParticipantPublic:
    """One participant with its public profile."""
    return events.show_participant(session, p)


@router.patch("/{event_id}/participants/{participant_id}")
def update_participant(
    p: OwnParticipant, data: ParticipantUpdate, uow: UnitOfWorkDep
) -> ParticipantPublic:
    """Change availability, cap, lists or cancel (the participant or the organizer)."""
    return events.show_participant(uow.session, events.update_participant(uow, p, data))


# --- spreadsheets --------------------------------------------------------------------------


@router.post("/{event_id}/imports", status_code=status.HTTP_202_ACCEPTED)
def import_participants(
    who: Organizer,
    event: EventDep,
    session: SessionDep,
    mm: MatchmakerDep,
    jobs: JobsDep,
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
    data = file.file.read(spreadsheets.MAX_FILE_BYTES + 1)
    try:
        columns = json.loads(mapping)
    except json.JSONDecodeError as exc:
        raise Invalid(f"mapping: not JSON ({exc.msg})") from exc
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise Invalid('mapping: expected an object of strings, e.g. {"name": "Company"}')
    fmt = imports.file_format(data)
    return imports.start_import(session, jobs, mm, event, who.actor, data, fmt, columns)


@router.get(
    "/{event_id}/participants.{fmt}", response_class=Response, responses=_files("xlsx", "csv")
)
def export_participants(
    _: Organizer, event: EventDep, fmt: SpreadsheetFormat, session: SessionDep
) -> Response:
    """Organizer only: the participants in the import layout, with contact details."""
    content = imports.export_participants(session, event, fmt)
    return _file(content, fmt, f"event-{event.id}-participants")


# --- match lists and requests --------------------------------------------------------------


@router.post("/{event_id}/match-lists", status_code=status.HTTP_202_ACCEPTED)
def build_match_lists(
    who: Organizer, event: EventDep, mm: MatchmakerDep, jobs: JobsDep
) -> JobStatus:
    """Organizer only: rebuild every participant's top-k partners (a job with progress)."""
    return matchlists.start_match_lists(jobs, mm, event, who.actor)


@router.get("/{event_id}/participants/{participant_id}/matches")
def read_match_list(p: OwnParticipant, session: SessionDep) -> MatchList:
    """A participant's partners in the event, best first, with reasons (own key or organizer)."""
    return matchlists.match_list(session, p)


@router.post("/{event_id}/requests", status_code=201, responses=errors(400))
def send_request(
    data: OwnRequestDraft, event: EventDep, uow: UnitOfWorkDep
) -> MeetingRequestPublic:
    """Ask another participant for a meeting (as the requesting participant's enterprise)."""
    r = requests.send_request(uow, event, data)
    return MeetingRequestPublic.model_validate(r, from_attributes=True)


@router.post("/{event_id}/requests/{request_id}/answer")
def answer_request(
    r: RequestToMe, event: EventDep, answer: RequestAnswer, uow: UnitOfWorkDep, mm: MatchmakerDep
) -> MeetingRequestPublic:
    """Accept or decline a pending request (its recipient or the organizer)."""
    r = requests.answer_request(uow, mm, event, r, answer.accept)
    return MeetingRequestPublic.model_validate(r, from_attributes=True)


@router.get("/{event_id}/participants/{participant_id}/requests")
def list_requests(
    p: OwnParticipant, event: EventDep, uow: UnitOfWorkDep
) -> list[MeetingRequestPublic]:
    """Requests sent and received by a participant, expired ones marked."""
    rows = requests.list_requests(uow, event, p)
    return [MeetingRequestPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/{event_id}/participants/{participant_id}/contacts")
def list_contacts(
    p: OwnParticipant, event: EventDep, session: SessionDep
) -> list[EnterprisePrivate]:
    """Contact details of partners who accepted a meeting with this participant (and only those)."""
    return requests.contacts(session, event, p)


# --- schedule, agendas, outcomes, report ---------------------------------------------------


@router.post("/{event_id}/schedule", status_code=status.HTTP_202_ACCEPTED)
def generate_schedule(
    who: Organizer,
    event: EventDep,
    mm: MatchmakerDep,
    jobs: JobsDep,
    keep: Annotated[bool, Query(description="Re-plan: move as few meetings as possible")] = False,
) -> JobStatus:
    """Organizer only: place accepted requests and listed pairs into rounds and tables (a job).

    Locked meetings (fixed by hand) keep their slot and table in both modes."""
    return plans.start_schedule(jobs, mm, event, who.actor, keep=keep)


@router.get("/{event_id}/meetings")
def list_meetings(_: Organizer, event: EventDep, session: SessionDep) -> list[MeetingPublic]:
    """Organizer only: the plan, round by round."""
    return [
        MeetingPublic.model_validate(m, from_attributes=True)
        for m in plans.meetings(session, event)
    ]


@router.patch("/{event_id}/meetings/{meeting_id}", responses=errors(400))
def change_meeting(
    _: Organizer, event: EventDep, meeting_id: Id, data: MeetingChange, uow: UnitOfWorkDep
) -> MeetingPublic:
    """Organizer only: move a meeting to a cell where it fits (409 says why not) and lock it,
    or lock/unlock it in place; re-plans keep locked meetings where they are."""
    m = outcomes.get_meeting(uow.session, event, meeting_id)
    if (data.slot is None) != (data.table is None):
        raise Invalid("slot, table: give both to move a meeting, or neither")
    if data.slot is not None and data.table is not None:
        lock = True if data.locked is None else data.locked
        m = board.move_meeting(uow, event, m, data.slot, data.table, lock=lock)
    elif data.locked is not None:
        m = board.set_locked(uow, m, data.locked)
    return MeetingPublic.model_validate(m, from_attributes=True)


@router.get(
    "/{event_id}/meetings/{meeting_id}/cells", response_model=list[Pair], responses=errors(400)
)
def meeting_cells(
    _: Organizer, event: EventDep, meeting_id: Id, session: SessionDep
) -> list[tuple[int, int]]:
    """Organizer only: every (slot, table) the meeting may move to, every other one staying."""
    return board.move_options(session, event, outcomes.get_meeting(session, event, meeting_id))


@router.get(
    "/{event_id}/grid.{fmt}", response_class=Response, responses=_files("xlsx", "csv") | errors(400)
)
def export_grid(
    _: Organizer, event: EventDep, fmt: SpreadsheetFormat, session: SessionDep
) -> Response:
    """Organizer only: the whole plan as a round x table grid."""
    return _file(plans.grid(session, event, fmt), fmt, f"event-{event.id}-grid")


@router.get(
    "/{event_id}/participants/{participant_id}/agenda.{fmt}",
    response_class=Response,
    responses=_files("html", "pdf", "ics"),
)
def read_agenda(
    p: OwnParticipant, event: EventDep, fmt: AgendaFormat, session: SessionDep
) -> Response:
    """A participant's agenda as printable HTML, PDF or an iCalendar file (own key or organizer)."""
    a = plans.agenda(session, event, p)
    render = {
        "html": lambda: agendas.to_html(a).encode(),
        "pdf": lambda: agendas.to_pdf(a),
        "ics": lambda: agendas.to_ics(a),
    }
    return _file(render[fmt](), fmt, f"agenda-{event.id}-{p.id}")


@router.put("/{event_id}/meetings/{meeting_id}/outcome", responses=errors(400))
def record_outcome(m: MeetingOfMine, data: OutcomeCreate, uow: UnitOfWorkDep) -> OutcomePublic:
    """Record whether a meeting was held, its rating and the intended deal (a side or organizer)."""
    row = outcomes.record_outcome(uow, m, data)
    return OutcomePublic.model_validate(row, from_attributes=True)


@router.get("/{event_id}/report")
def read_report(_: Organizer, event: EventDep, uow: UnitOfWorkDep) -> EventReport:
    """Organizer only: requests, meetings held, coverage per participant and intended deals."""
    return outcomes.report(uow, event)
