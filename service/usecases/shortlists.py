"""Shortlists: a buyer keeps the suppliers it found, to compare and ask for meetings later."""

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session

from service.entities import EnterprisePublic, Role
from service.errors import BadRequest, Forbidden, NotFound, Unauthorized
from service.store import shortlists as store
from service.store.shortlists import ShortlistEntryBase
from service.usecases.access import Principal
from service.usecases.profiles import get_enterprise


class ShortlistEntryPut(ShortlistEntryBase):
    pass


class ShortlistEntryPublic(ShortlistEntryBase):
    supplier: EnterprisePublic
    created_at: datetime


class Shortlist(BaseModel):
    owner_id: int
    items: list[ShortlistEntryPublic]


def _owner(who: Principal) -> int:
    """Only an enterprise keeps a shortlist (the organizer has none of its own)."""
    if who.enterprise_id is None:
        error = Forbidden if who.admin else Unauthorized
        raise error("an enterprise's API key is required to keep a shortlist")
    return who.enterprise_id


def save(session: Session, who: Principal, supplier_id: int, body: ShortlistEntryPut) -> Shortlist:
    """Save a supplier (or change its note); saving it twice keeps one entry."""
    owner_id = _owner(who)
    supplier = get_enterprise(session, supplier_id)
    if supplier_id == owner_id:
        raise BadRequest(f"supplier_id: enterprise {supplier_id} is your own")
    if supplier.role is Role.buyer:
        raise BadRequest(f"supplier_id: enterprise {supplier_id} is a buyer, not a supplier")
    store.put(session, owner_id, supplier_id, body.note)
    session.commit()
    return show(session, who)


def remove(session: Session, who: Principal, supplier_id: int) -> Shortlist:
    owner_id = _owner(who)
    if (row := store.find(session, owner_id, supplier_id)) is None:
        raise NotFound(f"supplier {supplier_id} is not on your shortlist")
    session.delete(row)
    session.commit()
    return show(session, who)


def show(session: Session, who: Principal) -> Shortlist:
    """The caller's shortlist, newest first, with each supplier's public profile."""
    owner_id = _owner(who)
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
