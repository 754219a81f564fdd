"""The schedule on paper and on screen: the grid (round x table) with who has no meeting, one
meeting moved by hand to a cell where it fits and locked, its outcome, the day sheets to print
(per table, per participant) and the downloads (grid XLSX, participants CSV/XLSX, agendas PDF
and ICS)."""

from typing import Literal

from fastapi import APIRouter, Response

from service.api.deps import SessionDep, UnitOfWorkDep
from service.errors import Invalid
from service.fairs import agendas
from service.fairs.api import EventDep
from service.fairs.tables import OutcomeCreate
from service.fairs.usecases import board, imports, outcomes, plans
from service.web.core import FormDep, PageRoute, Visitor, redirect, render
from service.web.deps import EventMeeting, KeyHolderVisitor, OrganizerVisitor, OwnPlace
from service.web.forms import FormErrors, fields_of, text, validated

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "ics": "text/calendar; charset=utf-8",
}


def _download(v: Visitor, content: bytes, fmt: str, name: str) -> Response:
    response = Response(
        content,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
    response.headers["Cache-Control"] = "no-store"  # agendas carry contact details
    return response


@router.get("/fairs/{event_id}/schedule")
def schedule_grid(v: OrganizerVisitor, event: EventDep, session: SessionDep) -> Response:
    """Rounds down, tables across; locked meetings marked; participants without a meeting."""
    return render(v, "schedule.html", event=event, board=board.board(session, event))


@router.get("/fairs/{event_id}/meetings/{meeting_id}")
def meeting_page(
    v: OrganizerVisitor, event: EventDep, m: EventMeeting, session: SessionDep
) -> Response:
    """One meeting: where it could move (every cell where it fits), its lock, its outcome."""
    grid = board.board(session, event)
    here = next(x for x in grid.meetings if x.id == m.id) if m.status == "scheduled" else None
    cells = set(board.move_options(session, event, m)) if here else set()
    assert m.id is not None
    return render(
        v,
        "meeting.html",
        event=event,
        board=grid,
        meeting=here,
        cells=cells,
        outcome=outcomes.current(session, m.id),
        errors={},
    )


@router.post("/fairs/{event_id}/meetings/{meeting_id}/move")
def move_meeting(
    v: OrganizerVisitor, event: EventDep, m: EventMeeting, form: FormDep, uow: UnitOfWorkDep
) -> Response:
    """Move to the chosen cell ('slot:table'); a cell where it clashes is refused (409)."""
    slot, _, table = text(form, "cell").partition(":")
    if not (slot.isdigit() and table.isdigit()):
        raise Invalid("cell: choose a cell of the grid")
    board.move_meeting(uow, event, m, int(slot), int(table), lock=text(form, "lock") == "1")
    return redirect(v, f"/fairs/{event.id}/meetings/{m.id}?moved=1")


@router.post("/fairs/{event_id}/meetings/{meeting_id}/lock")
def lock_meeting(
    v: OrganizerVisitor, event: EventDep, m: EventMeeting, form: FormDep, uow: UnitOfWorkDep
) -> Response:
    """Lock the meeting where it is (re-plans keep it), or free it."""
    board.set_locked(uow, m, text(form, "locked") == "1")
    return redirect(v, f"/fairs/{event.id}/meetings/{m.id}")


@router.post("/fairs/{event_id}/meetings/{meeting_id}/outcome")
def record_outcome(
    v: OrganizerVisitor,
    event: EventDep,
    m: EventMeeting,
    form: FormDep,
    uow: UnitOfWorkDep,
) -> Response:
    """Whether it was held, its rating and the intended deal; a later record replaces it."""
    data = fields_of(form, OutcomeCreate)
    try:
        outcome = validated(OutcomeCreate, data)
    except FormErrors as exc:
        grid = board.board(uow.session, event)
        return render(
            v,
            "meeting.html",
            422,
            event=event,
            board=grid,
            meeting=next((x for x in grid.meetings if x.id == m.id), None),
            cells=set(),
            outcome=data,
            errors=exc.errors,
        )
    outcomes.record_outcome(uow, m, outcome)
    return redirect(v, f"/fairs/{event.id}/meetings/{m.id}?saved=1")


@router.get("/fairs/{event_id}/tables")
def table_sheets(v: OrganizerVisitor, event: EventDep, session: SessionDep) -> Response:
    """A sheet per table to print and lay on it (one page each)."""
    grid = board.board(session, event)
    sheets = [(t, [m for m in grid.meetings if m.table == t]) for t in range(event.n_tables)]
    return render(v, "tables.html", event=event, sheets=[(t, ms) for t, ms in sheets if ms])


@router.get("/fairs/{event_id}/tables/{table}")
def table_sheet(v: OrganizerVisitor, event: EventDep, table: int, session: SessionDep) -> Response:
    """One table's sheet (tables numbered from 1, as printed)."""
    meetings = board.table_day(session, event, table - 1)
    return render(v, "tables.html", event=event, sheets=[(table - 1, meetings)])


@router.get("/fairs/{event_id}/participants/{participant_id}/day")
def participant_day(
    v: KeyHolderVisitor, p: OwnPlace, event: EventDep, session: SessionDep
) -> Response:
    """A participant's day to print: times, tables, partners and why they meet."""
    return render(v, "day.html", event=event, participant=p, agenda=plans.agenda(session, event, p))


@router.get("/fairs/{event_id}/participants/{participant_id}/agenda.{fmt}")
def agenda_file(
    v: KeyHolderVisitor,
    p: OwnPlace,
    event: EventDep,
    fmt: Literal["pdf", "ics"],
    session: SessionDep,
) -> Response:
    """The participant's agenda as a PDF or a calendar file (own company or the organizer)."""
    a = plans.agenda(session, event, p)
    content = agendas.to_pdf(a) if fmt == "pdf" else agendas.to_ics(a)
    return _download(v, content, fmt, f"agenda-{event.id}-{p.id}")


@router.get("/fairs/{event_id}/grid.xlsx")
def grid_file(v: OrganizerVisitor, event: EventDep, session: SessionDep) -> Response:
    """The whole plan as a round x table workbook (and a sheet of one meeting per line)."""
    return _download(v, plans.grid(session, event, "xlsx"), "xlsx", f"event-{event.id}-grid")


@router.get("/fairs/{event_id}/participants.{fmt}")
def participants_file(
    v: OrganizerVisitor, event: EventDep, fmt: Literal["csv", "xlsx"], session: SessionDep
) -> Response:
    """The participants in the import layout, contact details included."""
    content = imports.export_participants(session, event, fmt)
    return _download(v, content, fmt, f"event-{event.id}-participants")
