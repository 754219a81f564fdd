"""Server-rendered pages in Chinese and English, calling the same use-cases as the JSON API.

`create_app` includes `router` and mounts `static_files()` at /static.
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from service.web import (
    account,
    fair_events,
    fair_imports,
    fair_people,
    fair_report,
    fair_schedule,
    home,
    needs_offers,
    search,
    shortlist,
)

STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)
for module in (
    home,
    search,
    account,
    shortlist,
    needs_offers,
    fair_events,
    fair_imports,
    fair_people,
    fair_schedule,
    fair_report,
):
    router.include_router(module.router)


def static_files() -> StaticFiles:
    """The stylesheet, the page script and the vendored htmx (no CDN: works offline)."""
    return StaticFiles(directory=STATIC)
