"""The shortlist: suppliers saved from search results and company pages."""

from fastapi import APIRouter, Response

from service.api.deps import SessionDep
from service.usecases import shortlists
from service.usecases.shortlists import ShortlistEntryPut
from service.web.core import FormDep, PageRoute, VisitorDep, local_path, redirect, render
from service.web.forms import FormErrors, text, validated

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/me/shortlist")
def show_shortlist(v: VisitorDep, session: SessionDep) -> Response:
    """The saved suppliers, newest first, with their notes."""
    v.enterprise()
    return render(v, "shortlist.html", items=shortlists.show(session, v.who).items)


@router.post("/me/shortlist/{supplier_id}")
def change_shortlist(
    supplier_id: int, v: VisitorDep, form: FormDep, session: SessionDep
) -> Response:
    """Save (with an optional note) or remove; htmx swaps just the button."""
    v.enterprise()
    if text(form, "action") == "remove":
        shortlists.remove(session, v.who, supplier_id)
    else:
        try:
            entry = validated(ShortlistEntryPut, {"note": text(form, "note")})
        except FormErrors as exc:
            return render(v, "error.html", 422, status=422, detail=", ".join(exc.errors))
        shortlists.save(session, v.who, supplier_id, entry)
    if v.htmx:
        saved = shortlists.saved_ids(session, v.who)
        return render(v, "_save_button.html", supplier_id=supplier_id, saved=saved)
    return redirect(v, local_path(text(form, "next"), "/me/shortlist"))
