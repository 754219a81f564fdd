"""The shortlist: suppliers saved from search results and company pages."""

from fastapi import APIRouter, Response

from service.api.deps import SessionDep, UnitOfWorkDep
from service.entities import ShortlistEntryPut
from service.usecases import shortlists
from service.web.core import FormDep, PageRoute, local_path, redirect, render
from service.web.deps import Member
from service.web.forms import FormErrors, text, validated

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _owner(v: Member) -> int:
    owner = v.enterprise().id
    assert owner is not None
    return owner


@router.get("/me/shortlist")
def show_shortlist(v: Member, session: SessionDep) -> Response:
    """The saved suppliers, newest first, with their notes."""
    return render(v, "shortlist.html", items=shortlists.show(session, _owner(v)).items)


@router.post("/me/shortlist/{supplier_id}")
def change_shortlist(supplier_id: int, v: Member, form: FormDep, uow: UnitOfWorkDep) -> Response:
    """Save (with an optional note) or remove; htmx swaps just the button."""
    if text(form, "action") == "remove":
        shortlists.remove(uow, _owner(v), supplier_id)
    else:
        try:
            entry = validated(ShortlistEntryPut, {"note": text(form, "note")})
        except FormErrors as exc:
            return render(v, "error.html", 422, status=422, detail=", ".join(exc.errors))
        shortlists.save(uow, _owner(v), supplier_id, entry)
    if v.htmx:
        saved = shortlists.saved_ids(uow.session, v.who)
        return render(v, "_save_button.html", supplier_id=supplier_id, saved=saved)
    return redirect(v, local_path(text(form, "next"), "/me/shortlist"))
