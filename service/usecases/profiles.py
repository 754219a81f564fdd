"""Enterprise profiles: register (one or many, atomically), read, change, delete, list."""

from collections.abc import Sequence
from typing import Literal

from sqlmodel import Session

from service.entities import (
    Enterprise,
    EnterpriseCreate,
    EnterprisePrivate,
    EnterprisePublic,
    EnterpriseRole,
    EnterpriseUpdate,
    ProductLine,
    utc_now,
)
from service.errors import Invalid, InvalidRows, NotFound
from service.matchmaker import Matchmaker
from service.progress import Progress
from service.store import enterprises
from service.store.unit_of_work import Transaction, UnitOfWork
from service.usecases.access import Principal, new_key

EnterpriseSort = Literal["id", "name", "-name", "created_at", "-created_at"]
REQUIRED = ("name", "role")  # may be changed, never emptied


def get_enterprise(session: Session, enterprise_id: int) -> Enterprise:
    if (e := enterprises.get(session, enterprise_id)) is None:
        raise NotFound(f"enterprise {enterprise_id} does not exist")
    return e


def show(e: Enterprise, who: Principal) -> EnterprisePublic:
    """Contact details only for the owner and the organizer."""
    assert e.id is not None
    model = EnterprisePrivate if who.may_change(e.id) else EnterprisePublic
    return model.model_validate(e, from_attributes=True)


def new_rows(uow: UnitOfWork, rows: Sequence[EnterpriseCreate]) -> list[tuple[Enterprise, str]]:
    """Unsaved enterprises with their API keys, once every external id is known to be free."""
    named = enterprises.by_external_ids(uow.session, [r.external_id for r in rows])
    taken = {e.external_id for e in named}
    errors: list[dict[str, object]] = []
    seen: dict[str, int] = {}
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
        e = Enterprise.model_validate(
            row.model_dump(exclude={"product_lines"}), update={"api_key_hash": key_hash}
        )
        e.product_lines = [ProductLine.model_validate(p) for p in row.product_lines]
        created.append((e, key))
    return created


def register(
    uow: UnitOfWork,
    mm: Matchmaker,
    rows: Sequence[EnterpriseCreate],
    progress: Progress | None = None,
) -> list[tuple[Enterprise, str]]:
    """Create enterprises all-or-nothing; each gets an API key, returned once, stored hashed."""
    created = new_rows(uow, rows)
    embedded = mm.embed(enterprises=[e for e, _ in created], progress=progress)
    with uow.begin(embedded) as tx:
        tx.session.add_all(e for e, _ in created)
        tx.index(enterprises=[e for e, _ in created])
    for e, _ in created:
        uow.session.refresh(e)
    return created


def change(e: Enterprise, data: EnterpriseUpdate) -> None:
    """Apply given fields to the row, not yet written; a given list of product lines replaces
    the stored one."""
    changes = data.model_dump(exclude_unset=True, exclude={"product_lines"})
    for name in REQUIRED:
        if name in changes and changes[name] is None:
            raise Invalid(f"{name}: may not be null")
    e.sqlmodel_update(changes)
    if data.product_lines is not None:
        e.product_lines = [ProductLine.model_validate(p) for p in data.product_lines]
    e.updated_at = utc_now()


def update(uow: UnitOfWork, mm: Matchmaker, e: Enterprise, data: EnterpriseUpdate) -> Enterprise:
    """Change given fields and re-embed the profile; searchable as changed when this returns."""
    change(e, data)
    embedded = mm.embed(enterprises=[e])
    with uow.begin(embedded) as tx:
        save(tx, e)
    uow.session.refresh(e)
    return e


def save(tx: Transaction, e: Enterprise) -> None:
    """Write a changed profile and its items (inside the caller's unit of work)."""
    tx.session.add(e)
    tx.index(enterprises=[e])


def issue_key(uow: UnitOfWork, e: Enterprise) -> str:
    """A new API key for an enterprise; the old one stops working. Returned once."""
    key, key_hash = new_key()
    with uow.begin() as tx:
        e.api_key_hash = key_hash
        tx.session.add(e)
    return key


def set_verified(uow: UnitOfWork, mm: Matchmaker, e: Enterprise, verified: bool) -> Enterprise:
    e.verified = verified
    return update(uow, mm, e, EnterpriseUpdate())


def delete(uow: UnitOfWork, e: Enterprise) -> None:
    assert e.id is not None
    with uow.begin() as tx:
        tx.session.delete(e)
        tx.forget(e.id)


def list_page(
    session: Session,
    *,
    role: EnterpriseRole | None,
    country: str | None,
    name: str | None,
    sort: EnterpriseSort,
    offset: int,
    limit: int,
) -> tuple[list[Enterprise], int]:
    return enterprises.list_page(
        session, role=role, country=country, name=name, sort=sort, offset=offset, limit=limit
    )
