"""Every query of the fair domain: events, participants, match lists, requests, meetings."""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import ColumnElement
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, func, or_, select

from service.entities import Enterprise
from service.fairs.tables import (
    Event,
    EventMatch,
    EventSession,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Outcome,
    OutcomeStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    RequestStatus,
)
from service.store.pages import page

# --- events --------------------------------------------------------------------------------


def event(session: Session, event_id: int) -> Event | None:
    return session.get(Event, event_id)


def sessions_of(session: Session, event_id: int | None) -> list[EventSession]:
    query = select(EventSession).where(EventSession.event_id == event_id)
    return list(session.exec(query.order_by(col(EventSession.starts_at))))


def events_page(session: Session, *, offset: int, limit: int) -> tuple[list[Event], int]:
    return page(session, select(Event), Event, sort="-starts_on", offset=offset, limit=limit)


# --- participants --------------------------------------------------------------------------


def participant(session: Session, participant_id: int) -> Participant | None:
    return session.get(Participant, participant_id)


def enrolment(session: Session, event_id: int | None, enterprise_id: int) -> Participant | None:
    query = select(Participant).where(
        Participant.event_id == event_id, Participant.enterprise_id == enterprise_id
    )
    return session.exec(query).first()


def participants(session: Session, event_id: int | None, *, active_only: bool) -> list[Participant]:
    query = select(Participant).where(Participant.event_id == event_id)
    if active_only:
        query = query.where(Participant.status == ParticipantStatus.active)
    return list(session.exec(query.order_by(col(Participant.id))))


def participants_page(
    session: Session,
    event_id: int | None,
    *,
    role: ParticipantRole | None,
    offset: int,
    limit: int,
) -> tuple[list[Participant], int]:
    query = select(Participant).where(Participant.event_id == event_id)
    if role is not None:
        query = query.where(Participant.role == role)
    return page(session, query, Participant, sort="id", offset=offset, limit=limit)


def enrolments_of(session: Session, enterprise_id: int) -> list[tuple[Participant, Event]]:
    """An enterprise's places at events, latest event first."""
    query = (
        select(Participant, Event)
        .join(Event, col(Event.id) == Participant.event_id)
        .where(Participant.enterprise_id == enterprise_id)
        .order_by(col(Event.starts_on).desc(), col(Event.id))
    )
    return list(session.exec(query))


def active_in(session: Session, event_ids: Iterable[int]) -> list[Participant]:
    """Every active participant of these events."""
    query = select(Participant).where(
        col(Participant.event_id).in_(list(event_ids)),
        Participant.status == ParticipantStatus.active,
    )
    return list(session.exec(query))


def with_enterprises(
    session: Session, event_id: int | None
) -> dict[int, tuple[Participant, Enterprise]]:
    """Participant id -> (participant, its enterprise), every participant of the event."""
    query = (
        select(Participant, Enterprise)
        .join(Enterprise, col(Enterprise.id) == Participant.enterprise_id)
        .where(Participant.event_id == event_id)
    )
    return {p.id: (p, e) for p, e in session.exec(query) if p.id is not None}


def enterprises_of(session: Session, participant_ids: Iterable[int]) -> list[Enterprise]:
    query = (
        select(Enterprise)
        .join(Participant, col(Participant.enterprise_id) == Enterprise.id)
        .where(col(Participant.id).in_(list(participant_ids)))
        .order_by(col(Enterprise.name))
    )
    return list(session.exec(query))


# --- match lists ---------------------------------------------------------------------------


def met_before(session: Session, starts_on: date) -> set[frozenset[int]]:
    """Enterprise pairs with a meeting at an event before `starts_on` that was not a recorded
    no-show."""
    sup, buy = aliased(Participant), aliased(Participant)
    query = (
        select(sup.enterprise_id, buy.enterprise_id)
        .select_from(Meeting)
        .join(Event, col(Event.id) == Meeting.event_id)
        .join(sup, col(sup.id) == Meeting.supplier_id)
        .join(buy, col(buy.id) == Meeting.buyer_id)
        .outerjoin(Outcome, col(Outcome.meeting_id) == Meeting.id)
        .where(col(Event.starts_on) < starts_on, Meeting.status == MeetingStatus.scheduled)
        .where(or_(col(Outcome.status).is_(None), Outcome.status != OutcomeStatus.no_show))
    )
    return {frozenset(pair) for pair in session.exec(query)}


def clear_match_lists(session: Session, event_id: int) -> None:
    session.exec(delete(EventMatch).where(col(EventMatch.event_id) == event_id))


def match_list(session: Session, participant_id: int) -> list[tuple[EventMatch, Enterprise]]:
    query = (
        select(EventMatch, Enterprise)
        .join(Participant, col(Participant.id) == EventMatch.partner_id)
        .join(Enterprise, col(Enterprise.id) == Participant.enterprise_id)
        .where(EventMatch.participant_id == participant_id)
        .order_by(col(EventMatch.rank))
    )
    return list(session.exec(query))


def event_matches(session: Session, event_id: int | None) -> list[EventMatch]:
    return list(session.exec(select(EventMatch).where(EventMatch.event_id == event_id)))


def reasons_for(session: Session, participant_id: int) -> dict[int, str]:
    """Partner participant id -> why it is on this participant's match list."""
    query = select(EventMatch).where(EventMatch.participant_id == participant_id)
    return {m.partner_id: m.reason for m in session.exec(query)}


# --- meeting requests ----------------------------------------------------------------------


def request(session: Session, request_id: int) -> MeetingRequest | None:
    return session.get(MeetingRequest, request_id)


def overdue_requests(session: Session, event_id: int | None, now: datetime) -> list[MeetingRequest]:
    query = select(MeetingRequest).where(
        MeetingRequest.event_id == event_id,
        MeetingRequest.status == RequestStatus.pending,
        col(MeetingRequest.expires_at) < now,
    )
    return list(session.exec(query))


def _between(a: int, b: int) -> ColumnElement[bool]:
    return or_(
        (col(MeetingRequest.from_id) == a) & (col(MeetingRequest.to_id) == b),
        (col(MeetingRequest.from_id) == b) & (col(MeetingRequest.to_id) == a),
    )


def has_live_request(session: Session, a: int, b: int) -> bool:
    """A pending or accepted request between two participants, either way."""
    live = (RequestStatus.pending, RequestStatus.accepted)
    query = select(MeetingRequest.id).where(_between(a, b), col(MeetingRequest.status).in_(live))
    return session.exec(query).first() is not None


def pending_sent(session: Session, participant_id: int | None) -> int:
    query = select(func.count()).where(
        MeetingRequest.from_id == participant_id, MeetingRequest.status == RequestStatus.pending
    )
    return session.exec(query).one()


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


def requests_of(session: Session, participant_id: int | None) -> list[MeetingRequest]:
    query = select(MeetingRequest).where(
        or_(
            col(MeetingRequest.from_id) == participant_id,
            col(MeetingRequest.to_id) == participant_id,
        )
    )
    return list(session.exec(query.order_by(col(MeetingRequest.id))))


def event_requests(
    session: Session, event_id: int | None, status: RequestStatus | None = None
) -> list[MeetingRequest]:
    query = select(MeetingRequest).where(MeetingRequest.event_id == event_id)
    if status is not None:
        query = query.where(MeetingRequest.status == status)
    return list(session.exec(query.order_by(col(MeetingRequest.id))))


# --- meetings and outcomes -----------------------------------------------------------------


def meeting(session: Session, meeting_id: int) -> Meeting | None:
    return session.get(Meeting, meeting_id)


def meetings(
    session: Session,
    event_id: int | None,
    *,
    scheduled_only: bool,
    participant_id: int | None = None,
) -> list[Meeting]:
    """An event's meetings by round and table; those of one participant when given."""
    query = select(Meeting).where(Meeting.event_id == event_id)
    if scheduled_only:
        query = query.where(Meeting.status == MeetingStatus.scheduled)
    if participant_id is not None:
        query = query.where(
            or_(col(Meeting.supplier_id) == participant_id, col(Meeting.buyer_id) == participant_id)
        )
    return list(session.exec(query.order_by(col(Meeting.slot), col(Meeting.table))))


def outcome(session: Session, meeting_id: int) -> Outcome | None:
    return session.exec(select(Outcome).where(Outcome.meeting_id == meeting_id)).first()


def outcomes(session: Session, meeting_ids: Iterable[int | None]) -> dict[int, Outcome]:
    query = select(Outcome).where(col(Outcome.meeting_id).in_(list(meeting_ids)))
    return {o.meeting_id: o for o in session.exec(query)}
