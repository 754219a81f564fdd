"""What happened at the meetings, and the event's report."""

from collections import Counter, defaultdict
from collections.abc import Callable
from functools import cache
from statistics import mean

from sqlmodel import Session

from service.config import DATA_DIR
from service.entities import Enterprise, utc_now
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
    ReportGroup,
    RequestStatus,
)
from service.fairs.usecases.plans import meetings
from service.fairs.usecases.requests import expire_requests
from service.matching.nomenclature import Nomenclature, load_nomenclature
from service.store import enterprises
from service.store.unit_of_work import UnitOfWork


def get_meeting(session: Session, event: Event, meeting_id: int) -> Meeting:
    m = store.meeting(session, meeting_id)
    if m is None or m.event_id != event.id:
        raise NotFound(f"meeting {meeting_id} is not in event {event.id}")
    return m


def current(session: Session, meeting_id: int) -> Outcome | None:
    """The outcome recorded for a meeting, if any."""
    return store.outcome(session, meeting_id)


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
    accepted = requests[RequestStatus.accepted]
    decided = accepted + requests[RequestStatus.declined] + requests[RequestStatus.expired]
    suppliers = enterprises.by_ids(session, {people[m.supplier_id][1].id or 0 for m in plan})
    sector = {pid: _section(suppliers.get(e.id or 0)) for pid, (_, e) in people.items()}
    country = {pid: e.country for pid, (_, e) in people.items()}
    return EventReport(
        participants=len(people),
        requests_sent=sum(requests.values()),
        requests_accepted=requests[RequestStatus.accepted],
        requests_declined=requests[RequestStatus.declined],
        requests_expired=requests[RequestStatus.expired],
        acceptance_rate=round(accepted / decided, 4) if decided else None,
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
        by_buyer_country=_groups(plan, outcomes, lambda m: country[m.buyer_id]),
        by_supplier_sector=_groups(plan, outcomes, lambda m: sector[m.supplier_id]),
    )


def _groups(
    plan: list[Meeting], outcomes: dict[int, Outcome], key: Callable[[Meeting], str]
) -> list[ReportGroup]:
    """Meetings scheduled and held per key, most scheduled first."""
    scheduled: Counter[str] = Counter()
    held: Counter[str] = Counter()
    for m in plan:
        scheduled[key(m)] += 1
        o = outcomes.get(m.id or 0)
        held[key(m)] += o is not None and o.status is OutcomeStatus.held
    return [
        ReportGroup(key=k, meetings_scheduled=n, meetings_held=held[k])
        for k, n in sorted(scheduled.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@cache
def _nomenclature() -> Nomenclature:
    return load_nomenclature(DATA_DIR / "hs")


def _section(e: Enterprise | None) -> str:
    """The HS section (a Roman numeral) of an enterprise's first product line with a code."""
    code = next((p.hs_code for p in (e.product_lines if e else []) if p.hs_code), None)
    chapter = _nomenclature().entries.get(code[:2]) if code else None
    return chapter.section if chapter else ""
