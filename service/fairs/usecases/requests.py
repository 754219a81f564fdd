"""Meeting requests between an event's participants; contact details cross only on an accepted
request. An accepted request also teaches the ranker that this buyer's needs fit this supplier.
"""

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlmodel import Session

from service.entities import EnterprisePrivate, utc_now
from service.errors import BadRequest, Conflict, NotFound
from service.fairs import store
from service.fairs.tables import (
    Event,
    MeetingRequest,
    MeetingRequestCreate,
    Participant,
    RequestStatus,
)
from service.fairs.usecases.events import get_participant
from service.fairs.usecases.matchlists import Pair, do_not_meet, pair_of
from service.matchmaker import Matchmaker
from service.store.unit_of_work import UnitOfWork


def expire_requests(uow: UnitOfWork, event: Event) -> None:
    """Unanswered requests past their deadline turn expired (checked lazily, on every use)."""
    overdue = store.overdue_requests(uow.session, event.id, utc_now())
    if overdue:
        with uow.begin() as tx:
            for r in overdue:
                r.status = RequestStatus.expired
                tx.session.add(r)


class RequestView(BaseModel):
    """A request with both sides' names, for overviews."""

    id: int
    from_id: int
    to_id: int
    sender: str
    recipient: str
    status: RequestStatus
    message: str
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None


def views(uow: UnitOfWork, event: Event, p: Participant | None = None) -> list[RequestView]:
    """The event's requests (or those `p` sent and received), oldest first, expired ones
    marked."""
    expire_requests(uow, event)
    rows = (
        store.requests_of(uow.session, p.id) if p else store.event_requests(uow.session, event.id)
    )
    names = {pid: e.name for pid, (_, e) in store.with_enterprises(uow.session, event.id).items()}
    return [
        RequestView(
            sender=names.get(r.from_id, "?"),
            recipient=names.get(r.to_id, "?"),
            **r.model_dump(include=set(RequestView.model_fields)),
        )
        for r in rows
    ]


def get_request(session: Session, event: Event, request_id: int) -> MeetingRequest:
    r = store.request(session, request_id)
    if r is None or r.event_id != event.id:
        raise NotFound(f"request {request_id} is not in event {event.id}")
    return r


def send_request(uow: UnitOfWork, event: Event, data: MeetingRequestCreate) -> MeetingRequest:
    """Ask for a meeting as participant `from_id` (the caller may act for it)."""
    sender = get_participant(uow.session, event, data.from_id)
    target = get_participant(uow.session, event, data.to_id)
    if "cancelled" in (sender.status, target.status):
        raise BadRequest("to_id: cancelled participants cannot send or receive requests")
    if sender.role == target.role:
        raise BadRequest(f"to_id: participant {target.id} is also a {target.role.value}")
    if frozenset((sender.enterprise_id, target.enterprise_id)) in do_not_meet([sender, target]):
        raise BadRequest(f"to_id: participant {target.id} is on a do-not-meet list")
    expire_requests(uow, event)
    if store.has_live_request(uow.session, data.from_id, data.to_id):
        raise Conflict(
            f"a pending or accepted request between {data.from_id} and {data.to_id} exists"
        )
    if store.pending_sent(uow.session, sender.id) >= event.max_pending_requests:
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
    with uow.begin() as tx:
        tx.session.add(r)
    uow.session.refresh(r)
    return r


def answer_request(
    uow: UnitOfWork, mm: Matchmaker, event: Event, r: MeetingRequest, accept: bool
) -> MeetingRequest:
    """The recipient (or the organizer) accepts or declines a pending request."""
    expire_requests(uow, event)
    uow.session.refresh(r)
    if r.status is not RequestStatus.pending:
        raise Conflict(f"request {r.id} is {r.status.value}, not pending")
    with uow.begin() as tx:
        r.status = RequestStatus.accepted if accept else RequestStatus.declined
        r.answered_at = utc_now()
        tx.session.add(r)
        if accept:
            tx.learned(store.accepted_buyer_supplier(tx.session, request_ids=[r.id]))
    uow.session.refresh(r)
    return r


def learn_accepted_matches(session: Session, mm: Matchmaker) -> int:
    """At start-up: every accepted meeting request teaches the ranker again (it keeps them in
    memory only). Returns how many."""
    pairs = store.accepted_buyer_supplier(session)
    for buyer, supplier in pairs:
        mm.ranker.learn_match(buyer, supplier)
    return len(pairs)


def list_requests(uow: UnitOfWork, event: Event, p: Participant) -> list[MeetingRequest]:
    expire_requests(uow, event)
    return store.requests_of(uow.session, p.id)


def accepted_partners(session: Session, event: Event, p: Participant) -> set[int]:
    """Participant ids with whom `p` has an accepted request: the only ones who see contacts."""
    return {
        r.to_id if r.from_id == p.id else r.from_id
        for r in store.event_requests(session, event.id, RequestStatus.accepted)
        if p.id in (r.from_id, r.to_id)
    }


def contacts(session: Session, event: Event, p: Participant) -> list[EnterprisePrivate]:
    """Partners' profiles with contact details, for accepted requests only."""
    partners = store.enterprises_of(session, accepted_partners(session, event, p))
    return [EnterprisePrivate.model_validate(e, from_attributes=True) for e in partners]


def accepted_pairs(session: Session, event: Event) -> set[Pair]:
    people = {p.id: p for p in store.participants(session, event.id, active_only=True)}
    out = set()
    for r in store.event_requests(session, event.id, RequestStatus.accepted):
        a, b = people.get(r.from_id), people.get(r.to_id)
        if a is not None and b is not None:
            out.add(pair_of(a, b))
    return out
