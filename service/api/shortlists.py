"""The caller's shortlist of suppliers."""

from fastapi import APIRouter

from service.api.deps import PrincipalDep, SessionDep
from service.usecases import shortlists
from service.usecases.shortlists import Shortlist, ShortlistEntryPut

router = APIRouter(prefix="/shortlist", tags=["shortlist"])


@router.get("")
def read_shortlist(session: SessionDep, who: PrincipalDep) -> Shortlist:
    """The suppliers this enterprise saved, newest first (its own API key)."""
    return shortlists.show(session, who)


@router.put("/{supplier_id}")
def save_supplier(
    supplier_id: int, body: ShortlistEntryPut, session: SessionDep, who: PrincipalDep
) -> Shortlist:
    """Save a supplier to the shortlist, with an optional note; saving again changes the note."""
    return shortlists.save(session, who, supplier_id, body)


@router.delete("/{supplier_id}")
def remove_supplier(supplier_id: int, session: SessionDep, who: PrincipalDep) -> Shortlist:
    """Take a supplier off the shortlist."""
    return shortlists.remove(session, who, supplier_id)
