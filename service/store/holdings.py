"""Everything stored about one enterprise, across nouns: for its export and its erasure."""

from collections.abc import Collection

from sqlmodel import Session, col, delete, or_, select

from service.entities import ConfirmedExample, Need, Offer
from service.fairs.tables import Event, EventMatch, Meeting, MeetingRequest, Participant


def needs(session: Session, enterprise_id: int) -> list[Need]:
    query = select(Need).where(Need.buyer_id == enterprise_id)
    return list(session.exec(query.order_by(col(Need.id))))


def offers(session: Session, enterprise_id: int) -> list[Offer]:
    query = select(Offer).where(Offer.supplier_id == enterprise_id)
    return list(session.exec(query.order_by(col(Offer.id))))


def participations(session: Session, enterprise_id: int) -> list[tuple[Participant, Event]]:
    query = (
        select(Participant, Event)
        .join(Event, col(Event.id) == Participant.event_id)
        .where(Participant.enterprise_id == enterprise_id)
    )
    return list(session.exec(query.order_by(col(Participant.id))))


def requests(session: Session, participant_ids: Collection[int]) -> list[MeetingRequest]:
    """Requests these participants sent or received."""
    ids = list(participant_ids)
    query = select(MeetingRequest).where(
        or_(col(MeetingRequest.from_id).in_(ids), col(MeetingRequest.to_id).in_(ids))
    )
    return list(session.exec(query.order_by(col(MeetingRequest.id))))


def meetings(session: Session, participant_ids: Collection[int]) -> list[Meeting]:
    """Meetings these participants take part in, cancelled ones too."""
    ids = list(participant_ids)
    query = select(Meeting).where(
        or_(col(Meeting.supplier_id).in_(ids), col(Meeting.buyer_id).in_(ids))
    )
    return list(session.exec(query.order_by(col(Meeting.id))))


def confirmations(session: Session, enterprise_id: int) -> list[ConfirmedExample]:
    query = select(ConfirmedExample).where(ConfirmedExample.enterprise_id == enterprise_id)
    return list(session.exec(query.order_by(col(ConfirmedExample.id))))


def naming(session: Session, enterprise_id: int) -> list[Participant]:
    """Participants whose must-meet or do-not-meet list names the enterprise (JSON lists:
    filtered here, the same on both backends)."""
    rows = session.exec(select(Participant).order_by(col(Participant.id)))
    return [p for p in rows if enterprise_id in (*p.must_meet, *p.do_not_meet)]


def clear_match_entries(session: Session, participant_ids: Collection[int]) -> None:
    """Match-list entries of these participants, and those naming them as partners."""
    ids = list(participant_ids)
    session.exec(
        delete(EventMatch).where(
            or_(col(EventMatch.participant_id).in_(ids), col(EventMatch.partner_id).in_(ids))
        )
    )
