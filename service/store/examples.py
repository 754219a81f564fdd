"""Confirmed examples: HS classifications that enterprises (or the organizer) confirmed."""

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from service.entities import HsCode, utc_now


class HsConfirmationBase(SQLModel):
    text: str = Field(min_length=2, max_length=1000, description="The product or need text")
    code: HsCode = Field(max_length=12, description="Its HS heading or subheading, e.g. 6104.63")


class ConfirmedExample(HsConfirmationBase, table=True):
    __tablename__ = "confirmed_example"
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int | None = Field(
        default=None, foreign_key="enterprise.id", index=True, ondelete="SET NULL"
    )  # None: confirmed by the organizer
    created_at: datetime = Field(default_factory=utc_now)


class HsConfirmationCreate(HsConfirmationBase):
    pass


class HsConfirmationPublic(HsConfirmationBase):
    id: int
    enterprise_id: int | None
    created_at: datetime


def add_confirmation(
    session: Session, body: HsConfirmationCreate, enterprise_id: int | None
) -> ConfirmedExample:
    """Stage a confirmation (flushed, not committed: the use-case commits)."""
    row = ConfirmedExample.model_validate(body, update={"enterprise_id": enterprise_id})
    session.add(row)
    session.flush()
    return row


def all_confirmations(session: Session) -> list[ConfirmedExample]:
    return list(session.exec(select(ConfirmedExample).order_by(col(ConfirmedExample.id))))
