"""Queries on confirmed HS classifications."""

from sqlmodel import Session, col, select

from service.entities import ConfirmedExample, HsConfirmationCreate


def add(
    session: Session, body: HsConfirmationCreate, enterprise_id: int | None
) -> ConfirmedExample:
    row = ConfirmedExample.model_validate(body, update={"enterprise_id": enterprise_id})
    session.add(row)
    return row


def every(session: Session) -> list[ConfirmedExample]:
    return list(session.exec(select(ConfirmedExample).order_by(col(ConfirmedExample.id))))
