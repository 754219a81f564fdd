"""Shortlists: a buyer keeps the suppliers it found, to compare and ask for meetings later.

The owner is an enterprise id that the caller was checked to act as
(`access.require_enterprise`)."""

from pydantic import BaseModel
from sqlmodel import Session

from service.entities import (
    EnterprisePublic,
    EnterpriseRole,
    ShortlistEntry,
    ShortlistEntryPublic,
    ShortlistEntryPut,
)
from service.errors import BadRequest, NotFound
from service.store import shortlists as store
from service.store.unit_of_work import UnitOfWork
from service.usecases.access import Principal
from service.usecases.profiles import get_enterprise


class Shortlist(BaseModel):
    owner_id: int
    items: list[ShortlistEntryPublic]


def save(uow: UnitOfWork, owner_id: int, supplier_id: int, body: ShortlistEntryPut) -> Shortlist:
    """Save a supplier (or change its note); saving it twice keeps one entry."""
    supplier = get_enterprise(uow.session, supplier_id)
    if supplier_id == owner_id:
        raise BadRequest(f"supplier_id: enterprise {supplier_id} is your own")
    if supplier.role is EnterpriseRole.buyer:
        raise BadRequest(f"supplier_id: enterprise {supplier_id} is a buyer, not a supplier")
    row = store.find(uow.session, owner_id, supplier_id) or ShortlistEntry(
        owner_id=owner_id, supplier_id=supplier_id
    )
    with uow.begin() as tx:
        row.note = body.note
        tx.session.add(row)
    return show(uow.session, owner_id)


def remove(uow: UnitOfWork, owner_id: int, supplier_id: int) -> Shortlist:
    if (row := store.find(uow.session, owner_id, supplier_id)) is None:
        raise NotFound(f"supplier {supplier_id} is not on your shortlist")
    with uow.begin() as tx:
        tx.session.delete(row)
    return show(uow.session, owner_id)


def show(session: Session, owner_id: int) -> Shortlist:
    """The owner's shortlist, newest first, with each supplier's public profile."""
    items = [
        ShortlistEntryPublic(
            note=entry.note,
            created_at=entry.created_at,
            supplier=EnterprisePublic.model_validate(supplier, from_attributes=True),
        )
        for entry, supplier in store.entries_with_suppliers(session, owner_id)
    ]
    return Shortlist(owner_id=owner_id, items=items)


def saved_ids(session: Session, who: Principal) -> set[int]:
    """Which suppliers the caller saved (empty for anyone without a shortlist)."""
    if who.enterprise_id is None:
        return set()
    return store.supplier_ids(session, who.enterprise_id)
