"""The caller's shortlist of suppliers (an enterprise's own key; the organizer keeps none)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from service.api.deps import Caller, SessionDep, UnitOfWorkDep
from service.entities import ShortlistEntryPut
from service.usecases import access, shortlists
from service.usecases.shortlists import Shortlist

router = APIRouter(prefix="/shortlist", tags=["shortlist"])


def shortlist_owner(who: Caller) -> int:
    return access.require_enterprise(who, "keep a shortlist")


ShortlistOwner = Annotated[int, Depends(shortlist_owner)]


@router.get("")
def read_shortlist(owner: ShortlistOwner, session: SessionDep) -> Shortlist:
    """The suppliers this enterprise saved, newest first."""
    return shortlists.show(session, owner)


@router.put("/{supplier_id}")
def save_supplier(
    owner: ShortlistOwner, supplier_id: int, body: ShortlistEntryPut, uow: UnitOfWorkDep
) -> Shortlist:
    """Save a supplier to the shortlist, with an optional note; saving again changes the note."""
    return shortlists.save(uow, owner, supplier_id, body)


@router.delete("/{supplier_id}")
def remove_supplier(owner: ShortlistOwner, supplier_id: int, uow: UnitOfWorkDep) -> Shortlist:
    """Take a supplier off the shortlist."""
    return shortlists.remove(uow, owner, supplier_id)
