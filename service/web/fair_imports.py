"""Participants from a spreadsheet: upload, map the columns, see every row's fate before
anything is written, then confirm (the import runs as a job with live progress).

With htmx the form stays on the page between 'check' and 'import', file chosen; without it,
the report page asks for the file again (a browser never re-fills a file box)."""

from fastapi import APIRouter, Response
from starlette.datastructures import FormData, UploadFile

from service.api.deps import JobsDep, MatchmakerDep, SessionDep
from service.errors import Invalid, InvalidRows
from service.fairs import spreadsheets
from service.fairs.api import EventDep
from service.fairs.usecases import imports
from service.web.core import FormDep, PageRoute, Visitor, redirect, render
from service.web.deps import OrganizerVisitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAP_PREFIX = "map_"


def _upload(form: FormData) -> bytes | None:
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return None
    return file.file.read(spreadsheets.MAX_FILE_BYTES + 1)  # one byte over: parse says so


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
    data = _upload(form)
    if data is None:
        return _problem(v, event.id, "file: choose a CSV or XLSX file")
    try:
        fmt = imports.file_format(data)  # from the bytes, never the name
    except Invalid as exc:
        return _problem(v, event.id, exc.detail)
    preview = imports.preview_import(session, data, fmt, _mapping(form))
    return _page(v, event.id, preview, 200 if preview.ok else 422)


def _problem(v: Visitor, event_id: int | None, detail: str) -> Response:
    preview = imports.ImportPreview(headers=[], columns={}, problem=detail, rows=[])
    return _page(v, event_id, preview, 422)


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
    data = _upload(form)
    if data is None:
        return _problem(v, event.id, "file: choose a CSV or XLSX file")
    mapping = _mapping(form)
    try:
        fmt = imports.file_format(data)
    except Invalid as exc:
        return _problem(v, event.id, exc.detail)
    try:
        job = imports.start_import(session, jobs, mm, event, v.who.actor, data, fmt, mapping)
    except (Invalid, InvalidRows):
        return _page(v, event.id, imports.preview_import(session, data, fmt, mapping), 422)
    return redirect(v, f"/fairs/{event.id}/jobs/{job.id}")
