"""Queries on confirmed HS classifications."""

from sqlmodel import Session, col, select

from service.entities import ConfirmedExample, Enterprise, HsConfirmationCreate
from service.matching.trust import Confirmation


def add(
    session: Session, body: HsConfirmationCreate, enterprise_id: int | None
) -> ConfirmedExample:
    row = ConfirmedExample.model_validate(body, update={"enterprise_id": enterprise_id})
    session.add(row)
    return row


def by_confirmer(session: Session, enterprise_id: int | None, code: str) -> list[ConfirmedExample]:
    """What one confirmer (None: the organizer) has confirmed as `code`."""
    who = col(ConfirmedExample.enterprise_id)
    query = select(ConfirmedExample).where(ConfirmedExample.code == code)
    query = query.where(who.is_(None) if enterprise_id is None else who == enterprise_id)
    return list(session.exec(query.order_by(col(ConfirmedExample.id))))


def every(session: Session) -> list[Confirmation]:
    """Every confirmation with its confirmer's standing, oldest first."""
    query = (
        select(ConfirmedExample, Enterprise.verified)
        .outerjoin(Enterprise, col(Enterprise.id) == ConfirmedExample.enterprise_id)
        .order_by(col(ConfirmedExample.id))
    )
    return [
        Confirmation(row.text, row.code, row.enterprise_id, bool(verified))
        for row, verified in session.exec(query)
    ]
