"""The organizer's schedule board: the grid of rounds x tables with who meets where, who has no
meeting, moving a meeting by hand (only to cells where it fits) and locking it, and the printable
day sheet of one table."""

from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session

from service.entities import utc_now
from service.errors import BadRequest, Conflict
from service.fairs import store
from service.fairs.scheduling import check_plan, free_cells, move_problem
from service.fairs.scheduling.timeslots import Slot
from service.fairs.tables import Event, Meeting, MeetingStatus, OutcomeStatus, ParticipantRole
from service.fairs.usecases.events import slots_of
from service.fairs.usecases.plans import fair_input, meetings, placement
from service.store.unit_of_work import UnitOfWork


class BoardMeeting(BaseModel):
    id: int
    slot: int
    table: int
    starts_at: datetime
    ends_at: datetime
    supplier_id: int  # participant ids
    buyer_id: int
    supplier: str  # enterprise names
    buyer: str
    score: float
    required: bool
    locked: bool
    interpreter: bool
    outcome: OutcomeStatus | None


class Unplaced(BaseModel):
    participant_id: int
    name: str
    role: ParticipantRole


class Board(BaseModel):
    slots: list[Slot]
    n_tables: int
    meetings: list[BoardMeeting]
    unplaced: list[Unplaced]  # active participants without any meeting
    planned_at: datetime | None

    def at(self, slot: int, table: int) -> BoardMeeting | None:
        return next((m for m in self.meetings if (m.slot, m.table) == (slot, table)), None)


def board(session: Session, event: Event) -> Board:
    people = store.with_enterprises(session, event.id)
    plan = meetings(session, event)
    outcomes = store.outcomes(session, [m.id for m in plan])
    rows = []
    for m in plan:
        assert m.id is not None
        (sup, sup_e), (buy, buy_e) = people[m.supplier_id], people[m.buyer_id]
        rows.append(
            BoardMeeting(
                id=m.id,
                slot=m.slot,
                table=m.table,
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                supplier_id=m.supplier_id,
                buyer_id=m.buyer_id,
                supplier=sup_e.name,
                buyer=buy_e.name,
                score=m.score,
                required=m.required,
                locked=m.locked,
                interpreter=sup.needs_interpreter or buy.needs_interpreter,
                outcome=o.status if (o := outcomes.get(m.id)) else None,
            )
        )
    busy = {pid for m in plan for pid in (m.supplier_id, m.buyer_id)}
    unplaced = [
        Unplaced(participant_id=pid, name=e.name, role=p.role)
        for pid, (p, e) in sorted(people.items(), key=lambda kv: kv[1][1].name)
        if pid not in busy and p.status == "active"
    ]
    return Board(
        slots=slots_of(session, event),
        n_tables=event.n_tables,
        meetings=rows,
        unplaced=unplaced,
        planned_at=event.planned_at,
    )


def table_day(session: Session, event: Event, table: int) -> list[BoardMeeting]:
    """One table's meetings in time order: the sheet that lies on the table (tables from 0)."""
    if not 0 <= table < event.n_tables:
        raise BadRequest(f"table: {table + 1} is not one of the event's {event.n_tables} tables")
    return [m for m in board(session, event).meetings if m.table == table]


def _scheduled(m: Meeting) -> None:
    if m.status is not MeetingStatus.scheduled:
        raise BadRequest(f"meeting {m.id} was cancelled by a re-plan")


def move_options(session: Session, event: Event, m: Meeting) -> list[tuple[int, int]]:
    """The cells (slot, table) this meeting may move to with every other meeting staying."""
    _scheduled(m)
    fair, _ = fair_input(session, event)
    plan = [placement(x) for x in meetings(session, event)]
    return free_cells(fair, plan, (m.supplier_id, m.buyer_id))


def move_meeting(
    uow: UnitOfWork, event: Event, m: Meeting, slot: int, table: int, *, lock: bool
) -> Meeting:
    """Move a meeting by hand; refused (409, saying why) where it would clash. The independent
    checker must find no new problem in the plan that results."""
    _scheduled(m)
    fair, slots = fair_input(uow.session, event)
    plan = meetings(uow.session, event)
    before = [placement(x) for x in plan]
    pair = (m.supplier_id, m.buyer_id)
    problem = move_problem(fair, before, pair, slot, table)
    if problem is not None:
        raise Conflict(f"move: {problem}")
    after = [
        replace(p, slot=slot, table=table) if x.id == m.id else p
        for x, p in zip(plan, before, strict=True)
    ]
    old, new = _named(m.supplier_id, m.buyer_id, m.slot, m.table), _named(*pair, slot, table)
    known = {p.replace(old, new) for p in check_plan(fair, before)}
    if fresh := [p for p in check_plan(fair, after) if p not in known]:
        raise Conflict(f"move: {'; '.join(fresh)}")
    moved = (m.slot, m.table) != (slot, table)
    with uow.begin() as tx:
        m.slot, m.table = slot, table
        m.starts_at, m.ends_at = slots[slot].starts_at, slots[slot].ends_at
        m.locked = lock
        m.sequence += int(moved)  # calendars follow a changed time or table
        m.updated_at = utc_now()
        tx.session.add(m)
    uow.session.refresh(m)
    return m


def _named(supplier_id: int, buyer_id: int, slot: int, table: int) -> str:
    """How the checker names a meeting, to tell its old problems from new ones after a move."""
    return f"meeting {supplier_id}-{buyer_id} at slot {slot} table {table}"


def set_locked(uow: UnitOfWork, m: Meeting, locked: bool) -> Meeting:
    """Lock a meeting where it is (every re-plan keeps it) or free it again."""
    _scheduled(m)
    with uow.begin() as tx:
        m.locked = locked
        m.updated_at = utc_now()
        tx.session.add(m)
    uow.session.refresh(m)
    return m
