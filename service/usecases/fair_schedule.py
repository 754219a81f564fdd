"""The meeting plan of an event: build the scheduler's input, (re-)plan and persist, agendas and
the grid as files, outcomes of meetings and the event report."""

from collections import Counter, defaultdict
from statistics import mean

from sqlmodel import Session, col, select

from service.entities import Enterprise, utc_now
from service.errors import BadRequest, NotFound
from service.fairs import Candidate, FairInput, Plan, check_plan, replan, schedule
from service.fairs import Meeting as Placed
from service.fairs import Participant as Person
from service.fairs.agendas import (
    Agenda,
    AgendaItem,
    GridFormat,
    GridMeeting,
    meeting_uid,
    write_grid,
)
from service.fairs.tables import (
    Event,
    EventMatch,
    EventReport,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Outcome,
    OutcomeCreate,
    OutcomeStatus,
    Participant,
    ParticipantCoverage,
    PlanSummary,
    RequestStatus,
)
from service.fairs.timeslots import Slot, available_slots
from service.matchmaker import Progress
from service.usecases.access import Principal
from service.usecases.fair_matching import (
    accepted_pairs,
    accepted_partners,
    do_not_meet,
    expire_requests,
    pair_scores,
)
from service.usecases.fairs import participants, slots_of


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
    persons = []
    for p in people:
        assert p.id is not None
        persons.append(
            Person(p.id, p.role.value, p.max_meetings, available_slots(p.available, slots))
        )
    fair = FairInput(len(slots), event.n_tables, tuple(persons), tuple(candidates))
    return fair, slots


def _stored(session: Session, event: Event) -> dict[tuple[int, int], Meeting]:
    rows = session.exec(select(Meeting).where(Meeting.event_id == event.id))
    return {(m.supplier_id, m.buyer_id): m for m in rows}


def generate_schedule(
    session: Session, event: Event, *, keep: bool, progress: Progress | None = None
) -> PlanSummary:
    """Plan the event and store it. keep=True re-plans, moving as few stored meetings as possible.

    Stored meetings are updated in place per pair (SEQUENCE + 1 when moved or dropped), so
    calendar entries follow the plan; dropped meetings stay, cancelled.
    """
    fair, slots = fair_input(session, event)
    if not fair.candidates:
        raise BadRequest("no pairs to schedule: build the match lists first")
    stored = _stored(session, event)
    previous = [
        Placed(m.supplier_id, m.buyer_id, m.slot, m.table, m.score)
        for m in stored.values()
        if m.status is MeetingStatus.scheduled
    ]
    if progress:
        progress(0, 1)
    try:
        plan: Plan = replan(previous, fair) if keep and previous else schedule(fair)
    except ValueError as exc:
        raise BadRequest(f"schedule: {exc}") from exc
    violations = check_plan(fair, plan.meetings)
    required = {(c.supplier_id, c.buyer_id) for c in fair.candidates if c.required}
    assert event.id is not None
    placed = {(m.supplier_id, m.buyer_id): m for m in plan.meetings}
    for pair, m in placed.items():
        row = stored.get(pair)
        slot = slots[m.slot]
        if row is None:
            row = Meeting(
                event_id=event.id,
                supplier_id=pair[0],
                buyer_id=pair[1],
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
        row.score, row.required, row.updated_at = m.score, pair in required, utc_now()
        session.add(row)
    cancelled = 0
    for pair, row in stored.items():
        if pair not in placed and row.status is MeetingStatus.scheduled:
            row.status, row.sequence, row.updated_at = (
                MeetingStatus.cancelled,
                row.sequence + 1,
                utc_now(),
            )
            session.add(row)
            cancelled += 1
    event.planned_at = utc_now()
    session.add(event)
    session.commit()
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


def meetings(session: Session, event: Event, *, scheduled_only: bool = True) -> list[Meeting]:
    query = select(Meeting).where(Meeting.event_id == event.id)
    if scheduled_only:
        query = query.where(Meeting.status == MeetingStatus.scheduled)
    return list(session.exec(query.order_by(col(Meeting.slot), col(Meeting.table))))


def _names(session: Session, event: Event) -> dict[int, tuple[Participant, Enterprise]]:
    query = (
        select(Participant, Enterprise)
        .join(Enterprise, col(Enterprise.id) == Participant.enterprise_id)
        .where(Participant.event_id == event.id)
    )
    return {p.id: (p, e) for p, e in session.exec(query) if p.id is not None}


def agenda(session: Session, event: Event, p: Participant, who: Principal) -> Agenda:
    """A participant's meetings (cancelled ones too, for calendars); contacts only where both
    sides accepted a request."""
    who.require_change(p.enterprise_id)
    assert event.id is not None and p.id is not None
    people = _names(session, event)
    shared = accepted_partners(session, event, p)
    reasons = {
        m.partner_id: m.reason
        for m in session.exec(select(EventMatch).where(EventMatch.participant_id == p.id))
    }
    side = col(Meeting.supplier_id) if p.role == "supplier" else col(Meeting.buyer_id)
    rows = session.exec(select(Meeting).where(Meeting.event_id == event.id, side == p.id))
    items = []
    for m in rows:
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
    people = _names(session, event)
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


# --- outcomes and the report ---------------------------------------------------------------


def get_meeting(session: Session, event: Event, meeting_id: int) -> Meeting:
    m = session.get(Meeting, meeting_id)
    if m is None or m.event_id != event.id:
        raise NotFound(f"meeting {meeting_id} is not in event {event.id}")
    return m


def record_outcome(session: Session, m: Meeting, data: OutcomeCreate, who: Principal) -> Outcome:
    """Either side or the organizer records what happened; a later record replaces it."""
    sides = [session.get(Participant, i) for i in (m.supplier_id, m.buyer_id)]
    if not who.admin and not any(
        s is not None and who.enterprise_id == s.enterprise_id for s in sides
    ):
        who.require_admin()  # raises with the organizer's wording
    if m.status is MeetingStatus.cancelled:
        raise BadRequest(f"meeting {m.id} was cancelled by a re-plan")
    assert m.id is not None
    row = session.exec(select(Outcome).where(Outcome.meeting_id == m.id)).first()
    row = row or Outcome(meeting_id=m.id, status=data.status)
    row.sqlmodel_update({**data.model_dump(), "recorded_at": utc_now()})
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def report(session: Session, event: Event) -> EventReport:
    expire_requests(session, event)
    session.commit()
    requests = Counter(
        r.status
        for r in session.exec(select(MeetingRequest).where(MeetingRequest.event_id == event.id))
    )
    plan = meetings(session, event)
    outcomes = {
        o.meeting_id: o
        for o in session.exec(
            select(Outcome).where(col(Outcome.meeting_id).in_([m.id for m in plan]))
        )
    }
    per: dict[int, Counter[str]] = defaultdict(Counter)
    deals: dict[str, float] = defaultdict(float)
    for m in plan:
        o = outcomes.get(m.id or 0)
        for pid in (m.supplier_id, m.buyer_id):
            per[pid]["scheduled"] += 1
            if o is not None:
                per[pid][o.status.value] += 1
        if o is not None and o.intended_deal_value:
            deals[o.currency or "?"] += o.intended_deal_value
    people = _names(session, event)
    ratings = [o.rating for o in outcomes.values() if o.rating is not None]
    statuses = Counter(o.status for o in outcomes.values())
    return EventReport(
        participants=len(people),
        requests_sent=sum(requests.values()),
        requests_accepted=requests[RequestStatus.accepted],
        requests_declined=requests[RequestStatus.declined],
        requests_expired=requests[RequestStatus.expired],
        meetings_scheduled=len(plan),
        meetings_held=statuses[OutcomeStatus.held],
        meetings_no_show=statuses[OutcomeStatus.no_show],
        mean_rating=round(mean(ratings), 2) if ratings else None,
        intended_deals=dict(deals),
        coverage=[
            ParticipantCoverage(
                participant_id=pid,
                name=e.name,
                role=p.role,
                scheduled=per[pid]["scheduled"],
                held=per[pid]["held"],
                no_show=per[pid]["no_show"],
            )
            for pid, (p, e) in sorted(people.items())
        ],
    )
