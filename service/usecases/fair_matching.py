"""Match lists inside an event, and meeting requests between its participants.

A participant's match list holds its top-k partners among the event's other-role participants,
by the ranker's reciprocal score, without do-not-meet pairs or pairs that met at an earlier
event; must-meet partners are always on it. Contact details cross only on an accepted request.
"""

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, or_, select

from service.entities import Enterprise, EnterprisePrivate, EnterprisePublic, utc_now
from service.errors import BadRequest, Conflict, NotFound
from service.fairs.tables import (
    Event,
    EventMatch,
    MatchEntry,
    MatchList,
    Meeting,
    MeetingRequest,
    MeetingRequestCreate,
    MeetingStatus,
    Outcome,
    OutcomeStatus,
    Participant,
    ParticipantRole,
    RequestStatus,
)
from service.matching.explain import reason
from service.matching.ranking import Match
from service.matchmaker import Matchmaker, Progress
from service.usecases.access import Principal
from service.usecases.fairs import get_participant, participants

Pair = tuple[int, int]  # (supplier participant id, buyer participant id)
MUST_MEET_REASON = "On the organizer's must-meet list."


def _pair(a: Participant, b: Participant) -> Pair:
    assert a.id is not None and b.id is not None
    return (a.id, b.id) if a.role == "supplier" else (b.id, a.id)


def do_not_meet(people: Iterable[Participant]) -> set[frozenset[int]]:
    """Enterprise-id pairs that must never meet (either side's list is enough)."""
    return {frozenset((p.enterprise_id, x)) for p in people for x in p.do_not_meet}


def must_meet(people: Iterable[Participant]) -> set[frozenset[int]]:
    return {frozenset((p.enterprise_id, x)) for p in people for x in p.must_meet}


def met_before(session: Session, event: Event) -> set[frozenset[int]]:
    """Enterprise pairs with a meeting at an earlier event that was not a recorded no-show."""
    sup, buy = aliased(Participant), aliased(Participant)
    query = (
        select(sup.enterprise_id, buy.enterprise_id)
        .select_from(Meeting)
        .join(Event, col(Event.id) == Meeting.event_id)
        .join(sup, col(sup.id) == Meeting.supplier_id)
        .join(buy, col(buy.id) == Meeting.buyer_id)
        .outerjoin(Outcome, col(Outcome.meeting_id) == Meeting.id)
        .where(col(Event.starts_on) < event.starts_on, Meeting.status == MeetingStatus.scheduled)
        .where(or_(col(Outcome.status).is_(None), Outcome.status != OutcomeStatus.no_show))
    )
    return {frozenset(pair) for pair in session.exec(query)}


def build_match_lists(
    session: Session, mm: Matchmaker, event: Event, progress: Progress | None = None
) -> dict[str, int]:
    """Rebuild every active participant's match list; returns counts for the job result."""
    people = participants(session, event, active_only=True)
    by_enterprise = {p.enterprise_id: p for p in people}
    banned = do_not_meet(people) | met_before(session, event)
    forced = must_meet(people)
    scored: dict[int, dict[int, Match]] = {}  # participant -> partner participant -> match
    for i, p in enumerate(people):
        assert p.id is not None
        found: dict[int, Match] = {}
        for hit in mm.ranker.reciprocal(p.enterprise_id, limit=len(mm.catalog.facts)):
            q = by_enterprise.get(hit.enterprise_id)
            if (
                q is not None
                and q.role != p.role
                and frozenset((p.enterprise_id, q.enterprise_id)) not in banned
            ):
                assert q.id is not None
                found[q.id] = hit
        scored[p.id] = found
        if progress:
            progress(i + 1, len(people))
    top = {pid: set(list(found)[: event.top_k]) for pid, found in scored.items()}
    assert event.id is not None
    session.exec(delete(EventMatch).where(col(EventMatch.event_id) == event.id))
    entries = mutual = 0
    for p in people:
        assert p.id is not None
        mine, ids = scored[p.id], {q.enterprise_id: q.id for q in people if q.role != p.role}
        musts = {ids[x] for pair in forced if p.enterprise_id in pair for x in pair if x in ids}
        chosen = top[p.id] | {q for q in musts if q is not None}
        for rank, qid in enumerate(sorted(chosen, key=lambda q: (-_score(mine, q), q)), 1):
            m = mine.get(qid)
            partner = session.get(Participant, qid)
            assert partner is not None
            is_must = frozenset((p.enterprise_id, partner.enterprise_id)) in forced
            facts = mm.catalog.facts.get(partner.enterprise_id)
            text = reason(m, facts) if m is not None and facts is not None else MUST_MEET_REASON
            is_mutual = p.id in top.get(qid, set()) and qid in top[p.id]
            session.add(
                EventMatch(
                    event_id=event.id,
                    participant_id=p.id,
                    partner_id=qid,
                    rank=rank,
                    score=round(m.score, 4) if m else 0.0,
                    reason=text[:4000],
                    mutual=is_mutual,
                    must_meet=is_must,
                )
            )
            entries += 1
            mutual += is_mutual
    session.commit()
    return {"participants": len(people), "entries": entries, "mutual_entries": mutual}


def _score(found: dict[int, Match], partner_id: int) -> float:
    return found[partner_id].score if partner_id in found else 0.0


def match_list(session: Session, event: Event, p: Participant) -> MatchList:
    assert p.id is not None
    rows = session.exec(
        select(EventMatch, Enterprise)
        .join(Participant, col(Participant.id) == EventMatch.partner_id)
        .join(Enterprise, col(Enterprise.id) == Participant.enterprise_id)
        .where(EventMatch.participant_id == p.id)
        .order_by(col(EventMatch.rank))
    )
    return MatchList(
        participant_id=p.id,
        items=[
            MatchEntry(
                partner_id=m.partner_id,
                partner=EnterprisePublic.model_validate(e, from_attributes=True),
                rank=m.rank,
                score=m.score,
                reason=m.reason,
                mutual=m.mutual,
                must_meet=m.must_meet,
            )
            for m, e in rows
        ],
    )


def pair_scores(session: Session, event: Event) -> dict[Pair, float]:
    """Each listed pair's score, the higher of its two directions."""
    scores: dict[Pair, float] = {}
    people = {p.id: p for p in participants(session, event, active_only=True)}
    for m in session.exec(select(EventMatch).where(EventMatch.event_id == event.id)):
        a, b = people.get(m.participant_id), people.get(m.partner_id)
        if a is not None and b is not None:
            pair = _pair(a, b)
            scores[pair] = max(scores.get(pair, 0.0), m.score)
    return scores


# --- meeting requests ----------------------------------------------------------------------


def expire_requests(session: Session, event: Event) -> None:
    """Unanswered requests past their deadline turn expired (checked lazily, on every use)."""
    now = utc_now()
    stale = select(MeetingRequest).where(
        MeetingRequest.event_id == event.id,
        MeetingRequest.status == RequestStatus.pending,
        col(MeetingRequest.expires_at) < now,
    )
    for r in session.exec(stale):
        r.status = RequestStatus.expired
        session.add(r)
    session.flush()


def get_request(session: Session, event: Event, request_id: int) -> MeetingRequest:
    r = session.get(MeetingRequest, request_id)
    if r is None or r.event_id != event.id:
        raise NotFound(f"request {request_id} is not in event {event.id}")
    return r


def _between(a: int, b: int) -> ColumnElement[bool]:
    return or_(
        (col(MeetingRequest.from_id) == a) & (col(MeetingRequest.to_id) == b),
        (col(MeetingRequest.from_id) == b) & (col(MeetingRequest.to_id) == a),
    )


def send_request(
    session: Session, event: Event, data: MeetingRequestCreate, who: Principal
) -> MeetingRequest:
    sender = get_participant(session, event, data.from_id)
    who.require_change(sender.enterprise_id)
    target = get_participant(session, event, data.to_id)
    if "cancelled" in (sender.status, target.status):
        raise BadRequest("to_id: cancelled participants cannot send or receive requests")
    if sender.role == target.role:
        raise BadRequest(f"to_id: participant {target.id} is also a {target.role.value}")
    if frozenset((sender.enterprise_id, target.enterprise_id)) in do_not_meet([sender, target]):
        raise BadRequest(f"to_id: participant {target.id} is on a do-not-meet list")
    expire_requests(session, event)
    open_ = (RequestStatus.pending, RequestStatus.accepted)
    live = select(MeetingRequest.id).where(
        _between(data.from_id, data.to_id),
        col(MeetingRequest.status).in_(open_),
    )
    if session.exec(live).first() is not None:
        raise Conflict(
            f"a pending or accepted request between {data.from_id} and {data.to_id} exists"
        )
    pending = select(MeetingRequest.id).where(
        MeetingRequest.from_id == sender.id, MeetingRequest.status == RequestStatus.pending
    )
    if len(session.exec(pending).all()) >= event.max_pending_requests:
        raise Conflict(
            f"participant {sender.id} already has {event.max_pending_requests} pending requests, "
            "the event's cap; wait for answers or expiry"
        )
    assert event.id is not None
    now = utc_now()
    r = MeetingRequest(
        event_id=event.id,
        from_id=data.from_id,
        to_id=data.to_id,
        message=data.message,
        created_at=now,
        expires_at=now + timedelta(hours=event.request_ttl_hours),
    )
    session.add(r)
    session.commit()
    session.refresh(r)
    return r


def answer_request(
    session: Session,
    mm: Matchmaker,
    event: Event,
    r: MeetingRequest,
    accept: bool,
    who: Principal,
) -> MeetingRequest:
    """The recipient (or the organizer) accepts or declines a pending request; an accepted
    one teaches the ranker that this buyer's needs fit this supplier."""
    target = get_participant(session, event, r.to_id)
    who.require_change(target.enterprise_id)
    expire_requests(session, event)
    session.refresh(r)
    if r.status is not RequestStatus.pending:
        raise Conflict(f"request {r.id} is {r.status.value}, not pending")
    r.status = RequestStatus.accepted if accept else RequestStatus.declined
    r.answered_at = utc_now()
    session.add(r)
    session.commit()
    session.refresh(r)
    if accept:
        for buyer, supplier in accepted_buyer_supplier(session, request_ids=[r.id]):
            mm.ranker.learn_match(buyer, supplier)
    return r


def accepted_buyer_supplier(
    session: Session, request_ids: Iterable[int | None] | None = None
) -> list[tuple[int, int]]:
    """(buyer, supplier) enterprise ids of accepted requests, oldest first (all, or these)."""
    one, other = aliased(Participant), aliased(Participant)
    query = (
        select(one.enterprise_id, one.role, other.enterprise_id)
        .join(MeetingRequest, col(MeetingRequest.from_id) == one.id)
        .join(other, col(MeetingRequest.to_id) == other.id)
        .where(MeetingRequest.status == RequestStatus.accepted)
        .order_by(col(MeetingRequest.id))
    )
    if request_ids is not None:
        query = query.where(col(MeetingRequest.id).in_(list(request_ids)))
    return [
        (sender, receiver) if role is ParticipantRole.buyer else (receiver, sender)
        for sender, role, receiver in session.exec(query)
    ]


def learn_accepted_matches(session: Session, mm: Matchmaker) -> int:
    """At start-up: every accepted meeting request teaches the ranker again (it keeps them in
    memory only). Returns how many."""
    pairs = accepted_buyer_supplier(session)
    for buyer, supplier in pairs:
        mm.ranker.learn_match(buyer, supplier)
    return len(pairs)


def list_requests(
    session: Session, event: Event, p: Participant, who: Principal
) -> list[MeetingRequest]:
    who.require_change(p.enterprise_id)
    expire_requests(session, event)
    session.commit()
    query = select(MeetingRequest).where(
        or_(col(MeetingRequest.from_id) == p.id, col(MeetingRequest.to_id) == p.id)
    )
    return list(session.exec(query.order_by(col(MeetingRequest.id))))


def accepted_partners(session: Session, event: Event, p: Participant) -> set[int]:
    """Participant ids with whom `p` has an accepted request: the only ones who see contacts."""
    query = select(MeetingRequest).where(
        MeetingRequest.event_id == event.id,
        MeetingRequest.status == RequestStatus.accepted,
        or_(col(MeetingRequest.from_id) == p.id, col(MeetingRequest.to_id) == p.id),
    )
    return {r.to_id if r.from_id == p.id else r.from_id for r in session.exec(query)}


def contacts(
    session: Session, event: Event, p: Participant, who: Principal
) -> list[EnterprisePrivate]:
    """Partners' profiles with contact details, for accepted requests only."""
    who.require_change(p.enterprise_id)
    ids = accepted_partners(session, event, p)
    query = (
        select(Enterprise)
        .join(Participant, col(Participant.enterprise_id) == Enterprise.id)
        .where(col(Participant.id).in_(ids))
        .order_by(col(Enterprise.name))
    )
    return [EnterprisePrivate.model_validate(e, from_attributes=True) for e in session.exec(query)]


def accepted_pairs(session: Session, event: Event) -> set[Pair]:
    people = {p.id: p for p in participants(session, event, active_only=True)}
    query = select(MeetingRequest).where(
        MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.accepted
    )
    out = set()
    for r in session.exec(query):
        a, b = people.get(r.from_id), people.get(r.to_id)
        if a is not None and b is not None:
            out.add(_pair(a, b))
    return out
