"""The participant spreadsheet: import (profiles upserted by external id, then enrolled, all or
nothing) and export in the same layout."""

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from service.entities import Enterprise, EnterpriseCreate, EnterpriseRole, EnterpriseUpdate
from service.errors import BadRequest, InvalidRows
from service.fairs import spreadsheets, store
from service.fairs.spreadsheets import FairColumns, Format, ImportRow, RowError
from service.fairs.tables import Event, ImportReport, Participant
from service.fairs.usecases.events import in_session
from service.jobs import JobRunner, JobStatus
from service.matchmaker import Matchmaker
from service.progress import Progress
from service.store import enterprises
from service.store.unit_of_work import Transaction, UnitOfWork
from service.usecases import profiles


class PreviewRow(BaseModel):
    line: int = Field(description="As the organizer sees it in Excel (header = row 1).")
    external_id: str
    name: str
    action: Literal["new", "update", "unchanged", "error"]
    errors: list[dict[str, object]]


class ImportPreview(BaseModel):
    """What an import would do, row by row, before anything is written."""

    headers: list[str] = Field(description="The file's column headers.")
    columns: dict[str, str] = Field(description="Our column -> the header it is read from.")
    problem: str | None = Field(description="A problem with the whole file (nothing else read).")
    rows: list[PreviewRow]

    @property
    def ok(self) -> bool:
        return self.problem is None and all(r.action != "error" for r in self.rows)


def _checked(
    session: Session, data: bytes, fmt: Format, mapping: Mapping[str, str] | None
) -> tuple[spreadsheets.Parsed, dict[str | None, Enterprise], list[RowError]]:
    try:
        parsed = spreadsheets.parse(data, fmt, mapping)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    rows = parsed.rows
    exts = {r.profile.external_id for r in rows}
    refs = {x for r in rows for x in (*r.fair.must_meet, *r.fair.do_not_meet)}
    known: dict[str | None, Enterprise] = {
        e.external_id: e for e in enterprises.by_external_ids(session, exts | refs)
    }
    errors = parsed.errors + _reference_errors(rows, {x for x in exts | set(known) if x})
    return parsed, known, sorted(errors, key=lambda e: (e.line, e.column))


def check_import(
    session: Session, data: bytes, fmt: Format, mapping: Mapping[str, str] | None = None
) -> tuple[list[ImportRow], dict[str | None, Enterprise]]:
    """Validate every row (cells, references between rows) before anything is written.

    Returns the rows and the stored enterprises their external ids name; raises BadRequest for
    a file-level problem and InvalidRows with one entry per bad cell.
    """
    parsed, known, errors = _checked(session, data, fmt, mapping)
    if errors:
        raise InvalidRows([e.as_dict() for e in errors])
    return parsed.rows, known


def preview_import(
    session: Session, data: bytes, fmt: Format, mapping: Mapping[str, str] | None = None
) -> ImportPreview:
    """Every row with what importing it would do (new, update, unchanged) or its errors; the
    file's headers and which of our columns each one fills. Writes nothing."""
    mapping = mapping or {}
    try:
        headers = spreadsheets.read_header(data, fmt)
    except ValueError as exc:
        return ImportPreview(headers=[], columns={}, problem=str(exc), rows=[])
    columns = spreadsheets.found_columns(headers, mapping)
    try:
        parsed, known, errors = _checked(session, data, fmt, mapping)
    except BadRequest as exc:  # e.g. a required column not mapped yet
        return ImportPreview(headers=headers, columns=columns, problem=exc.detail, rows=[])
    by_line: dict[int, list[dict[str, object]]] = {}
    for e in errors:
        by_line.setdefault(e.line, []).append({"field": e.column, "detail": e.detail})
    valid = {r.line: r for r in parsed.rows}
    rows = []
    for line, (ext, name) in sorted(parsed.labels.items()):
        action: Literal["new", "update", "unchanged", "error"] = "error"
        if line not in by_line and (row := valid.get(line)) is not None:
            stored = known.get(row.profile.external_id)
            if stored is None:
                action = "new"
            else:
                action = "update" if _wanted(stored, row.profile) else "unchanged"
        rows.append(
            PreviewRow(
                line=line, external_id=ext, name=name, action=action, errors=by_line.get(line, [])
            )
        )
    return ImportPreview(headers=headers, columns=columns, problem=None, rows=rows)


def import_participants(
    uow: UnitOfWork,
    mm: Matchmaker,
    event: Event,
    data: bytes,
    fmt: Format,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Upsert profiles by external id and enrol them; a file with any bad row writes nothing.

    New profiles, changed profiles and enrolments are written in one transaction, and the
    catalog learns of them only after it commits; re-importing the same file changes nothing.
    """
    rows, known = check_import(uow.session, data, fmt, mapping)
    fresh = [r.profile for r in rows if r.profile.external_id not in known]
    created = profiles.new_rows(uow, fresh)
    changed = [
        e
        for row in rows
        if (e := known.get(row.profile.external_id)) is not None and _change(e, row.profile)
    ]
    new = [e for e, _ in created]
    embedded = mm.embed(enterprises=new + changed, progress=progress)
    with uow.begin(embedded) as tx:
        tx.session.add_all(new)
        tx.index(enterprises=new + changed)
        ids = {e.external_id: e.id for e in new} | {x: e.id for x, e in known.items()}
        added = _enrol(tx, event, rows, ids)
    if progress:
        progress(len(rows), len(rows))
    return ImportReport(
        rows=len(rows),
        created=len(new),
        updated=len(changed),
        unchanged=len(rows) - len(new) - len(changed),
        participants_added=added,
    )


def start_import(
    session: Session,
    jobs: JobRunner,
    mm: Matchmaker,
    event: Event,
    data: bytes,
    fmt: Format,
    mapping: Mapping[str, str] | None = None,
) -> JobStatus:
    """Check every row now (InvalidRows lists each bad cell), then import as a job whose
    progress shows at /jobs/{id}."""
    check_import(session, data, fmt, mapping)
    assert event.id is not None
    event_id = event.id
    return jobs.submit(
        "import",
        lambda progress: in_session(
            mm,
            event_id,
            lambda uow, e: import_participants(uow, mm, e, data, fmt, mapping, progress),
        ).model_dump(),
    )


def _reference_errors(rows: Sequence[ImportRow], known: set[str]) -> list[RowError]:
    errors = []
    for r in rows:
        for field in ("must_meet", "do_not_meet"):
            for ext in getattr(r.fair, field):
                if ext not in known:
                    errors.append(RowError(r.line, field, f"no enterprise has external id {ext!r}"))
                elif ext == r.profile.external_id:
                    errors.append(RowError(r.line, field, "a participant cannot name itself"))
    return errors


def _wanted(e: Enterprise, row: EnterpriseCreate) -> EnterpriseCreate | None:
    """The row as it would change a stored profile; None when nothing differs (a stored 'both'
    stays 'both')."""
    current = EnterpriseCreate.model_validate(e, from_attributes=True)
    both = EnterpriseRole.both
    # the file names products as 'name [HS code]': a line it names keeps its stored description
    said = {(p.name, p.hs_code): p.description for p in current.product_lines}
    lines = [
        p.model_copy(update={"description": p.description or said.get((p.name, p.hs_code), "")})
        for p in row.product_lines
    ]
    role = both if e.role is both else row.role
    wanted = row.model_copy(update={"role": role, "product_lines": lines})
    return None if current.model_dump() == wanted.model_dump() else wanted


def _change(e: Enterprise, row: EnterpriseCreate) -> bool:
    """Apply the row to a stored profile if anything differs (no needless re-embedding)."""
    if (wanted := _wanted(e, row)) is None:
        return False
    profiles.change(e, EnterpriseUpdate.model_validate(wanted.model_dump(exclude={"external_id"})))
    return True


def _enrol(
    tx: Transaction,
    event: Event,
    rows: Sequence[ImportRow],
    ids: Mapping[str | None, int | None],
) -> int:
    assert event.id is not None
    existing = {
        p.enterprise_id: p for p in store.participants(tx.session, event.id, active_only=False)
    }
    added = 0
    for r in rows:
        enterprise_id = ids[r.profile.external_id]
        assert enterprise_id is not None
        values = r.fair.model_dump()
        values["must_meet"] = [ids[x] for x in r.fair.must_meet]
        values["do_not_meet"] = [ids[x] for x in r.fair.do_not_meet]
        if (p := existing.get(enterprise_id)) is None:
            added += 1
            p = Participant(event_id=event.id, enterprise_id=enterprise_id, **values)
        else:
            p.sqlmodel_update(values)
        tx.session.add(p)
    return added


def export_participants(session: Session, event: Event, fmt: Format) -> bytes:
    """The event's participants in the import layout (contact details included: organizer only)."""
    people = store.participants(session, event.id, active_only=False)
    wanted = {x for p in people for x in (p.enterprise_id, *p.must_meet, *p.do_not_meet)}
    ents = enterprises.by_ids(session, wanted)

    def ext(enterprise_id: int) -> str:
        e = ents.get(enterprise_id)
        return (e.external_id if e else None) or f"#{enterprise_id}"

    rows = []
    for p in people:
        e = ents[p.enterprise_id]
        fair = FairColumns(
            role=p.role,
            max_meetings=p.max_meetings,
            available=p.available,
            must_meet=[ext(i) for i in p.must_meet],
            do_not_meet=[ext(i) for i in p.do_not_meet],
            needs_interpreter=p.needs_interpreter,
        )
        rows.append(
            spreadsheets.to_cells(EnterpriseCreate.model_validate(e, from_attributes=True), fair)
        )
    return spreadsheets.write(rows, spreadsheets.COLUMNS, fmt)
