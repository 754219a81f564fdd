"""What happened at the meetings, and the event's report."""

from collections import Counter, defaultdict
from statistics import mean

from sqlmodel import Session

from service.entities import utc_now
from service.errors import BadRequest, NotFound
from service.fairs import store
from service.fairs.tables import (
    Event,
    EventReport,
    Meeting,
    MeetingStatus,
    Outcome,
    OutcomeCreate,
    OutcomeStatus,
    ParticipantCoverage,
    RequestStatus,
)
from service.fairs.usecases.plans import meetings
from service.fairs.usecases.requests import expire_requests
from service.store.unit_of_work import UnitOfWork


def get_meeting(session: Session, event: Event, meeting_id: int) -> Meeting:
    m = store.meeting(session, meeting_id)
    if m is None or m.event_id != event.id:
        raise NotFound(f"meeting {meeting_id} is not in event {event.id}")
    return m


def record_outcome(uow: UnitOfWork, m: Meeting, data: OutcomeCreate) -> Outcome:
    """Record what happened (a side of the meeting or the organizer); a later record replaces it."""
    if m.status is MeetingStatus.cancelled:
        raise BadRequest(f"meeting {m.id} was cancelled by a re-plan")
    assert m.id is not None
    row = store.outcome(uow.session, m.id) or Outcome(meeting_id=m.id, status=data.status)
    with uow.begin() as tx:
        row.sqlmodel_update({**data.model_dump(), "recorded_at": utc_now()})
        tx.session.add(row)
    uow.reload(row)
    return row


def report(uow: UnitOfWork, event: Event) -> EventReport:
    expire_requests(uow, event)
    session = uow.session
    requests = Counter(r.status for r in store.event_requests(session, event.id))
    plan = meetings(session, event)
    outcomes = store.outcomes(session, [m.id for m in plan])
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
    people = store.with_enterprises(session, event.id)
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
