"""Participants from a spreadsheet: upload, map the columns, see every row's fate before
anything is written, then confirm (the import runs as a job with live progress).

With htmx the form stays on the page between 'check' and 'import', file chosen; without it,
the report page asks for the file again (a browser never re-fills a file box)."""

from fastapi import APIRouter, Response
from starlette.datastructures import FormData, UploadFile

from service.api.deps import JobsDep, MatchmakerDep, SessionDep
from service.errors import BadRequest, InvalidRows
from service.fairs import spreadsheets
from service.fairs.api import EventDep
from service.fairs.usecases import imports
from service.web.core import FormDep, PageRoute, Visitor, redirect, render
from service.web.deps import OrganizerVisitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAP_PREFIX = "map_"


def _upload(form: FormData) -> tuple[bytes, spreadsheets.Format] | None:
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return None
    data = file.file.read(spreadsheets.MAX_FILE_BYTES + 1)  # one byte over: parse says so
    return data, spreadsheets.detect_format(file.filename, data)


def _mapping(form: FormData) -> dict[str, str]:
    """Our column -> the header the organizer chose for it (blank: found by its name)."""
    chosen = {}
    for col in spreadsheets.COLUMNS:
        header = form.get(MAP_PREFIX + col)
        if isinstance(header, str) and header.strip():
            chosen[col] = header.strip()[:200]
    return chosen


def _page(
    v: Visitor, event_id: int | None, preview: imports.ImportPreview | None, status: int = 200
) -> Response:
    template = "_import_result.html" if v.htmx else "import.html"
    return render(
        v,
        template,
        status,
        event_id=event_id,
        preview=preview,
        columns=spreadsheets.COLUMNS,
        required=spreadsheets.REQUIRED,
    )


@router.get("/fairs/{event_id}/import")
def import_form(v: OrganizerVisitor, event: EventDep) -> Response:
    """Choose a CSV or XLSX file: one row per company."""
    return _page(v, event.id, None)


@router.post("/fairs/{event_id}/import/check")
def check_file(
    v: OrganizerVisitor, event: EventDep, form: FormDep, session: SessionDep
) -> Response:
    """Read the file's columns and check every row; nothing is written."""
    upload = _upload(form)
    if upload is None:
        missing = imports.ImportPreview(
            headers=[], columns={}, problem="file: choose a CSV or XLSX file", rows=[]
        )
        return _page(v, event.id, missing, 422)
    preview = imports.preview_import(session, *upload, _mapping(form))
    return _page(v, event.id, preview, 200 if preview.ok else 422)


@router.post("/fairs/{event_id}/import")
def run_import(
    v: OrganizerVisitor,
    event: EventDep,
    form: FormDep,
    session: SessionDep,
    mm: MatchmakerDep,
    jobs: JobsDep,
) -> Response:
    """Import the checked file as a job; a file that changed since the check is checked again
    and nothing is written if any row fails."""
    upload = _upload(form)
    if upload is None:
        return check_file(v, event, form, session)
    try:
        job = imports.start_import(session, jobs, mm, event, *upload, _mapping(form))
    except (BadRequest, InvalidRows):
        return _page(v, event.id, imports.preview_import(session, *upload, _mapping(form)), 422)
    return redirect(v, f"/fairs/{event.id}/jobs/{job.id}")
