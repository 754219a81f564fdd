"""Queries on the change log."""

from collections.abc import Collection

from sqlmodel import Session, col, func, select

from service.entities import ChangeLog


def add(session: Session, row: ChangeLog) -> int:
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def latest_id(session: Session) -> int:
    return session.exec(select(func.max(ChangeLog.id))).one() or 0


def since(session: Session, after: int, skip: Collection[int] = ()) -> list[ChangeLog]:
    """Rows after `after` in id order, but those in `skip` (already applied): their ids are
    read first, so the rows a poll already knows are never loaded again."""
    fresh = sorted(ids_since(session, after) - set(skip))
    if not fresh:
        return []
    query = select(ChangeLog).where(col(ChangeLog.id).in_(fresh)).order_by(col(ChangeLog.id))
    return list(session.exec(query))


def ids_since(session: Session, after: int) -> set[int]:
    return {i for i in session.exec(select(ChangeLog.id).where(col(ChangeLog.id) > after)) if i}
