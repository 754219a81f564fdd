"""Enterprise profiles: register (one or many, atomically), read, change, delete, list."""

from collections.abc import Sequence
from typing import Literal

from sqlmodel import Session, col, func, select

from service.entities import (
    Enterprise,
    EnterpriseCreate,
    EnterprisePrivate,
    EnterprisePublic,
    EnterpriseUpdate,
    ProductLine,
    Role,
    utc_now,
)
from service.errors import InvalidRows, NotFound
from service.matchmaker import CatalogChange, Matchmaker, Progress
from service.store.pages import page
from service.usecases.access import Principal, new_key

EnterpriseSort = Literal["id", "name", "-name", "created_at", "-created_at"]


def get_enterprise(session: Session, enterprise_id: int) -> Enterprise:
    if (e := session.get(Enterprise, enterprise_id)) is None:
        raise NotFound(f"enterprise {enterprise_id} does not exist")
    return e


def show(e: Enterprise, who: Principal) -> EnterprisePublic:
    """Contact details only for the owner and the organizer."""
    assert e.id is not None
    model = EnterprisePrivate if who.may_change(e.id) else EnterprisePublic
    return model.model_validate(e, from_attributes=True)


def _new_row(data: EnterpriseCreate, key_hash: str) -> Enterprise:
    e = Enterprise.model_validate(
        data.model_dump(exclude={"product_lines"}), update={"api_key_hash": key_hash}
    )
    e.product_lines = [ProductLine.model_validate(p) for p in data.product_lines]
    return e


def register(
    session: Session,
    mm: Matchmaker,
    rows: Sequence[EnterpriseCreate],
    progress: Progress | None = None,
) -> list[tuple[Enterprise, str]]:
    """Create enterprises all-or-nothing; each gets an API key, returned once, stored hashed."""
    created, change = stage_new(session, mm, rows, progress)
    session.commit()
    mm.apply(change)
    for e, _ in created:
        session.refresh(e)
    return created


def stage_new(
    session: Session,
    mm: Matchmaker,
    rows: Sequence[EnterpriseCreate],
    progress: Progress | None = None,
) -> tuple[list[tuple[Enterprise, str]], CatalogChange]:
    """`register` without the commit, for callers that write more in the same transaction;
    they commit, then `mm.apply` the returned change."""
    errors: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    wanted = [r.external_id for r in rows if r.external_id]
    taken = set(
        session.exec(select(Enterprise.external_id).where(col(Enterprise.external_id).in_(wanted)))
    )
    for i, row in enumerate(rows):
        ext = row.external_id
        if ext and (ext in taken or ext in seen):
            where = "already exists" if ext in taken else f"repeats row {seen[ext]}"
            errors.append(
                {"row": i, "field": "external_id", "detail": f"external_id {ext!r} {where}"}
            )
        elif ext:
            seen[ext] = i
    if errors:
        raise InvalidRows(errors)
    created = []
    for row in rows:
        key, key_hash = new_key()
        e = _new_row(row, key_hash)
        session.add(e)
        created.append((e, key))
    session.flush()
    return created, mm.index(session, enterprises=[e for e, _ in created], progress=progress)


def update(session: Session, mm: Matchmaker, e: Enterprise, data: EnterpriseUpdate) -> Enterprise:
    """Change given fields; a given list of product lines replaces the stored one."""
    change = stage_update(session, mm, e, data)
    session.commit()
    mm.apply(change)
    session.refresh(e)
    return e


def stage_update(
    session: Session, mm: Matchmaker, e: Enterprise, data: EnterpriseUpdate
) -> CatalogChange:
    """`update` without the commit (see `stage_new`)."""
    changes = data.model_dump(exclude_unset=True, exclude={"product_lines"})
    for name in ("name", "role"):
        if name in changes and changes[name] is None:
            raise InvalidRows([{"field": name, "detail": f"{name} may not be null"}])
    e.sqlmodel_update(changes)
    if data.product_lines is not None:
        e.product_lines = [ProductLine.model_validate(p) for p in data.product_lines]
    e.updated_at = utc_now()
    session.add(e)
    session.flush()
    return mm.index(session, enterprises=[e])


def issue_key(session: Session, e: Enterprise) -> str:
    """A new API key for an enterprise; the old one stops working. Returned once."""
    key, e.api_key_hash = new_key()
    session.add(e)
    session.commit()
    return key


def set_verified(session: Session, mm: Matchmaker, e: Enterprise, verified: bool) -> Enterprise:
    e.verified = verified
    return update(session, mm, e, EnterpriseUpdate())


def delete(session: Session, mm: Matchmaker, e: Enterprise) -> None:
    assert e.id is not None
    enterprise_id = e.id
    session.delete(e)
    session.commit()
    mm.forget_enterprise(enterprise_id)


def list_page(
    session: Session,
    *,
    role: Role | None,
    country: str | None,
    name: str | None,
    sort: EnterpriseSort,
    offset: int,
    limit: int,
) -> tuple[list[Enterprise], int]:
    query = select(Enterprise)
    if role is not None:
        roles = [role, Role.both] if role is not Role.both else [Role.both]
        query = query.where(col(Enterprise.role).in_(roles))
    if country:
        query = query.where(func.lower(Enterprise.country) == country.lower())
    if name:
        query = query.where(col(Enterprise.name).icontains(name))
    return page(session, query, Enterprise, sort=sort, offset=offset, limit=limit)
