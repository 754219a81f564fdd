"""The participant spreadsheet: import (profiles upserted by external id, then enrolled, all or
nothing) and export in the same layout."""

from collections.abc import Mapping, Sequence

from sqlmodel import Session

from service.entities import Enterprise, EnterpriseCreate, EnterpriseRole, EnterpriseUpdate
from service.errors import Invalid, InvalidRows
from service.fairs import spreadsheets, store
from service.fairs.filetypes import Format, detect_format
from service.fairs.spreadsheets import FairColumns, ImportRow, RowError
from service.fairs.tables import Event, ImportReport, Participant
from service.matchmaker import Matchmaker
from service.progress import Progress
from service.store import enterprises
from service.store.unit_of_work import Transaction, UnitOfWork
from service.usecases import profiles


def file_format(data: bytes) -> Format:
    """CSV or XLSX, read from the bytes; 422 for anything else (a PDF, an old .xls, ...)."""
    try:
        return detect_format(data)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc


def check_import(
    session: Session, data: bytes, fmt: Format, mapping: Mapping[str, str] | None = None
) -> tuple[list[ImportRow], dict[str | None, Enterprise]]:
    """Validate every row (cells, references between rows) before anything is written.

    Returns the rows and the stored enterprises their external ids name; raises Invalid for a
    file-level problem ("file: ..." or "mapping: ...") and InvalidRows with one entry per bad cell.
    """
    try:
        parsed = spreadsheets.parse(data, fmt, mapping)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    rows = parsed.rows
    exts = {r.profile.external_id for r in rows}
    refs = {x for r in rows for x in (*r.fair.must_meet, *r.fair.do_not_meet)}
    known: dict[str | None, Enterprise] = {
        e.external_id: e for e in enterprises.by_external_ids(session, exts | refs)
    }
    errors = parsed.errors + _reference_errors(rows, {x for x in exts | set(known) if x})
    if errors:
        raise InvalidRows([e.as_dict() for e in sorted(errors, key=lambda e: (e.line, e.column))])
    return rows, known


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


def _change(e: Enterprise, row: EnterpriseCreate) -> bool:
    """Apply the row to a stored profile if anything differs (no needless re-embedding)."""
    current = EnterpriseCreate.model_validate(e, from_attributes=True)
    both = EnterpriseRole.both
    wanted = row.model_copy(update={"role": both if e.role is both else row.role})
    if current.model_dump() == wanted.model_dump():
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
