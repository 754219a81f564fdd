"""Server-rendered pages in Chinese and English, calling the same use-cases as the JSON API.

`create_app` includes `router` and mounts `static_files()` at /static.
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from service.web import account, home, needs_offers, search, shortlist

STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)
for module in (home, search, account, shortlist, needs_offers):
    router.include_router(module.router)


def static_files() -> StaticFiles:
    """The stylesheet, the page script and the vendored htmx (no CDN: works offline)."""
    return StaticFiles(directory=STATIC)
