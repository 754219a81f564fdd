"""Queries on shortlists: the suppliers an enterprise saved while searching."""

from sqlmodel import Session, col, select

from service.entities import Enterprise, ShortlistEntry


def find(session: Session, owner_id: int, supplier_id: int) -> ShortlistEntry | None:
    statement = select(ShortlistEntry).where(
        ShortlistEntry.owner_id == owner_id, ShortlistEntry.supplier_id == supplier_id
    )
    return session.exec(statement).first()


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
