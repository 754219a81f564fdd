"""The home page and the language switch."""

from fastapi import APIRouter, Response

from service.web.core import PageRoute, VisitorDep, local_path, redirect, render, set_language
from service.web.i18n import LOCALES

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def home(v: VisitorDep) -> Response:
    """What Matchfair does for each of its users, with the supplier search up front."""
    return render(v, "home.html")


@router.get("/language/{code}")
def switch_language(code: str, v: VisitorDep, next: str = "/") -> Response:
    """Remember the chosen language and go back to the page it was chosen on."""
    if code not in LOCALES:
        return render(v, "error.html", 404, status=404, detail=code)
    return set_language(redirect(v, local_path(next)), v, code)
