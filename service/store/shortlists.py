"""Shortlists: the suppliers an enterprise saved while searching (table and queries)."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from service.entities import Enterprise, utc_now


class ShortlistEntryBase(SQLModel):
    note: str = Field(default="", max_length=500, description="Why this supplier was saved")


class ShortlistEntry(ShortlistEntryBase, table=True):
    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("owner_id", "supplier_id"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    supplier_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utc_now)


def find(session: Session, owner_id: int, supplier_id: int) -> ShortlistEntry | None:
    statement = select(ShortlistEntry).where(
        ShortlistEntry.owner_id == owner_id, ShortlistEntry.supplier_id == supplier_id
    )
    return session.exec(statement).first()


def put(session: Session, owner_id: int, supplier_id: int, note: str) -> ShortlistEntry:
    """Stage an entry (or change its note); flushed, not committed: the use-case commits."""
    row = find(session, owner_id, supplier_id) or ShortlistEntry(
        owner_id=owner_id, supplier_id=supplier_id
    )
    row.note = note
    session.add(row)
    session.flush()
    return row


def entries_with_suppliers(
    session: Session, owner_id: int
) -> list[tuple[ShortlistEntry, Enterprise]]:
    """The owner's entries, newest first, each with its supplier's row (one query)."""
    statement = (
        select(ShortlistEntry, Enterprise)
        .join(Enterprise, col(Enterprise.id) == col(ShortlistEntry.supplier_id))
        .where(ShortlistEntry.owner_id == owner_id)
        .order_by(col(ShortlistEntry.created_at).desc(), col(ShortlistEntry.id).desc())
    )
    return [(entry, supplier) for entry, supplier in session.exec(statement)]


def supplier_ids(session: Session, owner_id: int) -> set[int]:
    statement = select(ShortlistEntry.supplier_id).where(ShortlistEntry.owner_id == owner_id)
    return set(session.exec(statement))
