"""Queries on enterprises (with their product lines)."""

from collections.abc import Collection, Iterable

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from service.entities import Enterprise, EnterpriseRole
from service.store.pages import page

WITH_LINES = selectinload(Enterprise.product_lines)  # type: ignore[arg-type]
LIVE = col(Enterprise.deleted_at).is_(None)  # not an erased enterprise kept for a fair's history


def get(session: Session, enterprise_id: int, *, erased_too: bool = False) -> Enterprise | None:
    """With its product lines loaded, so building its texts never queries (nor autoflushes).
    An erased enterprise is found only when asked for (`erased_too`: a fair's history)."""
    e = session.get(Enterprise, enterprise_id, options=[WITH_LINES])
    return e if e is not None and (erased_too or e.deleted_at is None) else None


def lock(session: Session, enterprise_id: int) -> bool:
    """Hold the enterprise's row until the transaction ends (PostgreSQL; SQLite locks the whole
    file on write anyway), so a write touching it and its items takes the row first, as a
    profile update does: no deadlock between the two. False when the row is gone."""
    query = select(Enterprise.id).where(Enterprise.id == enterprise_id).with_for_update()
    return session.exec(query).first() is not None


def by_ids(session: Session, ids: Iterable[int]) -> dict[int, Enterprise]:
    """One query for many, product lines included."""
    rows = session.exec(
        select(Enterprise).where(col(Enterprise.id).in_(list(ids))).options(WITH_LINES)
    )
    return {e.id: e for e in rows if e.id is not None}


def by_external_ids(session: Session, external_ids: Collection[str | None]) -> list[Enterprise]:
    wanted = [x for x in external_ids if x]
    query = select(Enterprise).where(col(Enterprise.external_id).in_(wanted)).options(WITH_LINES)
    return list(session.exec(query))


def existing_ids(session: Session, ids: Iterable[int]) -> set[int]:
    query = select(Enterprise.id).where(col(Enterprise.id).in_(list(ids)), LIVE)
    return {i for i in session.exec(query) if i is not None}


def id_for_key_hash(session: Session, key_hash: str) -> int | None:
    return session.exec(select(Enterprise.id).where(Enterprise.api_key_hash == key_hash)).first()


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Enterprise)).one()


def list_page(
    session: Session,
    *,
    role: EnterpriseRole | None,
    country: str | None,
    name: str | None,
    sort: str,
    offset: int,
    limit: int,
) -> tuple[list[Enterprise], int]:
    query = select(Enterprise).where(LIVE)
    if role is not None:
        roles = [role, EnterpriseRole.both] if role is not EnterpriseRole.both else [role]
        query = query.where(col(Enterprise.role).in_(roles))
    if country:
        query = query.where(func.lower(Enterprise.country) == country.lower())
    if name:
        query = query.where(col(Enterprise.name).icontains(name))
    return page(session, query, Enterprise, sort=sort, offset=offset, limit=limit)
