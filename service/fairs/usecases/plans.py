"""The meeting plan of an event: the scheduler's input, (re-)planning and storing the plan,
agendas and the grid."""

from sqlmodel import Session

from service.entities import utc_now
from service.errors import BadRequest
from service.fairs import store
from service.fairs.agendas import (
    Agenda,
    AgendaItem,
    GridFormat,
    GridMeeting,
    meeting_uid,
    write_grid,
)
from service.fairs.scheduling import (
    Attendee,
    Candidate,
    FairInput,
    Placement,
    Plan,
    check_locked,
    check_plan,
    replan,
    schedule,
)
from service.fairs.scheduling.timeslots import Slot, available_slots
from service.fairs.tables import Event, Meeting, MeetingStatus, Participant, PlanSummary
from service.fairs.usecases.events import in_session, participants, slots_of
from service.fairs.usecases.matchlists import do_not_meet, pair_scores
from service.fairs.usecases.requests import accepted_pairs, accepted_partners
from service.jobs import JobRunner, JobStatus
from service.matchmaker import Matchmaker
from service.progress import Progress
from service.store.unit_of_work import UnitOfWork


def fair_input(session: Session, event: Event) -> tuple[FairInput, list[Slot]]:
    """Rounds from the sessions; listed pairs as candidates; accepted requests and must-meet
    pairs as required ones; do-not-meet pairs never."""
    slots = slots_of(session, event)
    people = participants(session, event, active_only=True)
    by_enterprise = {p.enterprise_id: p for p in people}
    scores = pair_scores(session, event)
    required = accepted_pairs(session, event)
    for p in people:
        for other in p.must_meet:
            q = by_enterprise.get(other)
            if q is not None and q.role != p.role:
                assert p.id is not None and q.id is not None
                required.add((p.id, q.id) if p.role == "supplier" else (q.id, p.id))
    banned = do_not_meet(people)
    enterprise_of = {p.id: p.enterprise_id for p in people}
    candidates = [
        Candidate(s, b, min(max(scores.get((s, b), 0.0), 0.0), 1.0), required=(s, b) in required)
        for s, b in sorted(set(scores) | required)
        if frozenset((enterprise_of[s], enterprise_of[b])) not in banned
    ]
    attendees = []
    for p in people:
        assert p.id is not None
        attendees.append(
            Attendee(p.id, p.role.value, p.max_meetings, available_slots(p.available, slots))
        )
    fair = FairInput(len(slots), event.n_tables, tuple(attendees), tuple(candidates))
    return fair, slots


def generate_schedule(
    uow: UnitOfWork, event: Event, *, keep: bool, progress: Progress | None = None
) -> PlanSummary:
    """Plan the event and store it. keep=True re-plans, moving as few stored meetings as possible;
    locked meetings stay in place either way (while they still fit).

    Stored meetings are updated in place per pair (SEQUENCE + 1 when moved or dropped), so
    calendar entries follow the plan; dropped meetings stay, cancelled.
    """
    fair, slots = fair_input(uow.session, event)
    if not fair.candidates:
        raise BadRequest("no pairs to schedule: build the match lists first")
    stored = {
        (m.supplier_id, m.buyer_id): m
        for m in store.meetings(uow.session, event.id, scheduled_only=False)
    }
    previous = [placement(m) for m in stored.values() if m.status is MeetingStatus.scheduled]
    kept = previous if keep else [m for m in previous if m.locked]
    if progress:
        progress(0, 1)
    try:
        plan: Plan = replan(kept, fair) if kept else schedule(fair)
    except ValueError as exc:
        raise BadRequest(f"schedule: {exc}") from exc
    violations = check_plan(fair, plan.meetings) + check_locked(fair, kept, plan.meetings)
    required = {(c.supplier_id, c.buyer_id) for c in fair.candidates if c.required}
    assert event.id is not None
    placed = {(m.supplier_id, m.buyer_id): m for m in plan.meetings}
    cancelled = 0
    with uow.begin() as tx:
        for pair, m in placed.items():
            tx.session.add(_placed(event.id, stored.get(pair), m, slots[m.slot], pair in required))
        for pair, row in stored.items():
            if pair not in placed and row.status is MeetingStatus.scheduled:
                row.status, row.sequence = MeetingStatus.cancelled, row.sequence + 1
                row.locked = False
                row.updated_at = utc_now()
                tx.session.add(row)
                cancelled += 1
        event.planned_at = utc_now()
        tx.session.add(event)
    if progress:
        progress(1, 1)
    s = plan.stats
    return PlanSummary(
        meetings=s.n_meetings,
        objective=round(s.objective, 4),
        unmatched=list(s.unmatched),
        required_missing=list(s.required_missing),
        moved=s.moved,
        cancelled=cancelled,
        violations=violations,
        method=s.method,
    )


def start_schedule(jobs: JobRunner, mm: Matchmaker, event: Event, *, keep: bool) -> JobStatus:
    """Plan (or, keep=True, re-plan) the event as a job whose progress shows at /jobs/{id}."""
    assert event.id is not None
    event_id = event.id
    return jobs.submit(
        "schedule",
        lambda progress: in_session(
            mm, event_id, lambda uow, e: generate_schedule(uow, e, keep=keep, progress=progress)
        ).model_dump(),
    )


def placement(m: Meeting) -> Placement:
    """A stored meeting as the scheduler sees it."""
    return Placement(m.supplier_id, m.buyer_id, m.slot, m.table, m.score, locked=m.locked)


def _placed(
    event_id: int, row: Meeting | None, m: Placement, slot: Slot, required: bool
) -> Meeting:
    """The stored meeting of a placed pair: new, or moved in place (SEQUENCE + 1) if it changed."""
    if row is None:
        row = Meeting(
            event_id=event_id,
            supplier_id=m.supplier_id,
            buyer_id=m.buyer_id,
            slot=m.slot,
            table=m.table,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            score=m.score,
        )
    elif row.status is MeetingStatus.cancelled or (row.slot, row.table, row.starts_at) != (
        m.slot,
        m.table,
        slot.starts_at,
    ):
        row.slot, row.table, row.starts_at, row.ends_at = (
            m.slot,
            m.table,
            slot.starts_at,
            slot.ends_at,
        )
        row.status, row.sequence = MeetingStatus.scheduled, row.sequence + 1
    row.score, row.required, row.updated_at = m.score, required, utc_now()
    return row


def meetings(session: Session, event: Event) -> list[Meeting]:
    """The plan, round by round."""
    return store.meetings(session, event.id, scheduled_only=True)


def agenda(session: Session, event: Event, p: Participant) -> Agenda:
    """A participant's meetings (cancelled ones too, for calendars); contacts only where both
    sides accepted a request."""
    assert event.id is not None and p.id is not None
    people = store.with_enterprises(session, event.id)
    shared = accepted_partners(session, event, p)
    reasons = store.reasons_for(session, p.id)
    items = []
    for m in store.meetings(session, event.id, scheduled_only=False, participant_id=p.id):
        other = m.buyer_id if m.supplier_id == p.id else m.supplier_id
        q, e = people[other]
        contact = ", ".join(x for x in (e.contact_name, e.contact_email, e.contact_phone) if x)
        sup, buy = people[m.supplier_id][1], people[m.buyer_id][1]
        assert sup.id is not None and buy.id is not None
        items.append(
            AgendaItem(
                uid=meeting_uid(event.id, sup.id, buy.id),
                sequence=m.sequence,
                cancelled=m.status is MeetingStatus.cancelled,
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                table=m.table + 1,
                partner=e.name,
                partner_country=e.country,
                reason=reasons.get(other, ""),
                contact=contact if other in shared else "",
                interpreter=p.needs_interpreter or q.needs_interpreter,
            )
        )
    me = people[p.id][1]
    return Agenda(event.name, event.venue, event.timezone, me.name, p.role.value, tuple(items))


def grid(session: Session, event: Event, fmt: GridFormat) -> bytes:
    people = store.with_enterprises(session, event.id)
    cells = [
        GridMeeting(
            m.slot, m.table, people[m.supplier_id][1].name, people[m.buyer_id][1].name, m.score
        )
        for m in meetings(session, event)
    ]
    slots = slots_of(session, event)
    if any(c.slot >= len(slots) for c in cells):
        raise BadRequest("the sessions changed since planning; re-plan before exporting the grid")
    return write_grid(slots, event.n_tables, cells, fmt)
