"""Queries behind the consistency check: the database's own integrity checks, and every stored
item as it is (its vector's size, not the vector)."""

from dataclasses import dataclass

from sqlalchemy import func, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from service.db import is_postgres
from service.entities import Enterprise, ItemVector, Need, Offer
from service.store.enterprises import LIVE, WITH_LINES


@dataclass(frozen=True, slots=True)
class StoredItem:
    key: int
    enterprise_id: int
    kind: str
    ref_id: int
    text: str
    model: str
    size: int  # bytes of a float32 blob (SQLite) or dimensions of a pgvector (PostgreSQL)


def integrity_problems(session: Session) -> list[str]:
    """SQLite's page-level check and its foreign-key check. PostgreSQL checks its pages and
    enforces foreign keys as it writes, so there is nothing to ask it here."""
    if is_postgres(session.get_bind().engine):
        return []
    pages = [row[0] for row in session.execute(text("PRAGMA integrity_check"))]
    problems = [] if pages == ["ok"] else [f"integrity_check: {line}" for line in pages]
    for table, rowid, parent, _ in session.execute(text("PRAGMA foreign_key_check")):
        problems.append(f"foreign key: {table} row {rowid} names a missing {parent} row")
    return problems


def stored_items(session: Session) -> list[StoredItem]:
    t = ItemVector.metadata.tables["item_vector"].c
    size = (
        func.vector_dims(t.vector)
        if is_postgres(session.get_bind().engine)
        else func.length(t.vector)
    )
    query = sa_select(t.id, t.enterprise_id, t.kind, t.ref_id, t.text, t.model, size).order_by(t.id)
    return [StoredItem(*row) for row in session.execute(query)]


def matchable_rows(session: Session) -> tuple[list[Enterprise], list[Need | Offer]]:
    """Every live enterprise (product lines loaded) and every need and offer."""
    people = list(session.exec(select(Enterprise).where(LIVE).options(WITH_LINES)))
    trades: list[Need | Offer] = [*session.exec(select(Need)), *session.exec(select(Offer))]
    return people, trades
