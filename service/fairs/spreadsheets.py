"""Participant spreadsheets (CSV or XLSX) in and out: column mapping and per-row validation.

Pure: bytes in, validated rows and a per-row error report out (and back to bytes for export).
One row is one enterprise at the fair; list cells are separated by ';', products are written
'name [HS code]'. Rows are numbered as the organizer sees them in Excel (header = row 1).
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pydantic import BaseModel, Field, ValidationError

from service.entities import EnterpriseCreate, Short
from service.fairs.tables import ParticipantRole, Window

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
Format = Literal["csv", "xlsx"]

PROFILE_COLUMNS = (
    "external_id",
    "name",
    "role",
    "description",
    "looking_for",
    "city",
    "region",
    "country",
    "certifications",
    "export_markets",
    "languages",
    "channels",
    "years_exporting",
    "annual_capacity",
    "capacity_unit",
    "moq",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "products",
)
FAIR_COLUMNS = ("max_meetings", "available", "must_meet", "do_not_meet", "needs_interpreter")
COLUMNS = PROFILE_COLUMNS + FAIR_COLUMNS
REQUIRED = ("external_id", "name", "role")
LISTS = {
    "certifications",
    "export_markets",
    "languages",
    "channels",
    "available",
    "must_meet",
    "do_not_meet",
}
_PRODUCT = re.compile(r"^(.*?)\s*(?:\[([\d.\s]+)\])?$")
_PROFILE_FIELDS = set(EnterpriseCreate.model_fields)
_TRUE, _FALSE = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0", ""}


class FairColumns(BaseModel):
    """The participant's fair-specific cells; must/do-not-meet name other rows' external ids."""

    role: ParticipantRole
    max_meetings: int = Field(default=8, ge=0, le=100)
    available: list[Window] = Field(default_factory=list, max_length=20)
    must_meet: list[Short] = Field(default_factory=list, max_length=100)
    do_not_meet: list[Short] = Field(default_factory=list, max_length=100)
    needs_interpreter: bool = False


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    profile: EnterpriseCreate
    fair: FairColumns


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.line, "field": self.column, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Parsed:
    rows: list[ImportRow]
    errors: list[RowError]
    # every non-empty row's line -> its external id and name cells as written, for reports
    labels: dict[int, tuple[str, str]]


def detect_format(filename: str, data: bytes) -> Format:
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def parse(data: bytes, fmt: Format, mapping: Mapping[str, str] | None = None) -> Parsed:
    """Validate every row; raises ValueError for a file-level problem (size, header, encoding).

    `mapping` maps our column names to the file's headers, e.g. {"name": "Company"}; other
    columns are found by name, ignoring case, spaces and hyphens.
    """
    table = _table(data, fmt)
    where = _columns(table[0], mapping or {})
    body = [(n, r) for n, r in enumerate(table[1:], start=2) if any(_text(c) for c in r)]
    if len(body) > MAX_ROWS:
        raise ValueError(f"file: {len(body)} rows; at most {MAX_ROWS} per file")
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    labels: dict[int, tuple[str, str]] = {}
    for line, raw in body:
        cells = {col: raw[i] if i < len(raw) else None for col, i in where.items()}
        labels[line] = (_text(cells.get("external_id")), _text(cells.get("name")))
        row, row_errors = _validate(line, cells)
        if ext := _text(cells.get("external_id")):
            if ext in first_line:
                why = f"{ext!r} repeats row {first_line[ext]}"
                row_errors.append(RowError(line, "external_id", why))
            first_line.setdefault(ext, line)
        errors += row_errors
        if row is not None and not row_errors:
            rows.append(row)
    return Parsed(rows, errors, labels)


def _table(data: bytes, fmt: Format) -> list[list[Any]]:
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"file: {len(data)} bytes; at most {MAX_FILE_BYTES} per file")
    table = _read_xlsx(data) if fmt == "xlsx" else _read_csv(data)
    if not table:
        raise ValueError("file: no header row")
    return table


def read_header(data: bytes, fmt: Format) -> list[str]:
    """The file's column headers as written (for mapping them to ours)."""
    return [_text(h) for h in _table(data, fmt)[0] if _text(h)]


def found_columns(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Our column -> the header `parse` will read it from (mapped, else found by name)."""
    by_key = {_key(h): h for h in reversed(header) if h}
    found = {}
    for col in COLUMNS:
        if (h := by_key.get(_key(mapping.get(col, col)))) is not None:
            found[col] = h
    return found


def _columns(header: Sequence[Any], mapping: Mapping[str, str]) -> dict[str, int]:
    unknown = sorted(set(mapping) - set(COLUMNS))
    if unknown:
        raise ValueError(
            f"mapping: unknown column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}"
        )
    texts = [_text(h) for h in header]
    found = found_columns(texts, mapping)
    for col in mapping:
        if col not in found:
            raise ValueError(f"mapping: header {mapping[col]!r} for {col} is not in the file")
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise ValueError(f"file: missing required column(s) {', '.join(missing)}")
    index = {h: i for i, h in reversed(list(enumerate(texts))) if h}
    return {col: index[h] for col, h in found.items()}


def _key(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _validate(line: int, cells: Mapping[str, Any]) -> tuple[ImportRow | None, list[RowError]]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for col, cell in cells.items():
        text = _text(cell)
        if col in LISTS:
            values[col] = _split(text)
        elif col == "products":
            values["product_lines"] = [_product(p) for p in _split(text)]
        elif col == "needs_interpreter":
            if text.lower() not in _TRUE | _FALSE:
                errors.append(RowError(line, col, f"{text!r} is not yes or no"))
            values[col] = text.lower() in _TRUE
        elif text or col in ("external_id", "name", "role"):
            values[col] = text
    values["role"] = values.get("role", "").lower()
    profile = fair = None
    try:
        profile = EnterpriseCreate.model_validate(
            {k: v for k, v in values.items() if k in _PROFILE_FIELDS}
        )
    except ValidationError as exc:
        errors += _errors(line, exc)
    if not values.get("external_id"):
        errors.append(RowError(line, "external_id", "an external id is required to upsert the row"))
    try:
        fair = FairColumns.model_validate(
            {k: v for k, v in values.items() if k in FairColumns.model_fields}
        )
    except ValidationError as exc:
        said = {e.column for e in errors}
        errors += [e for e in _errors(line, exc) if e.column not in said]  # e.g. role, once
    if profile is None or fair is None or errors:
        return None, errors
    return ImportRow(line, profile, fair), errors


def _errors(line: int, exc: ValidationError) -> list[RowError]:
    out = []
    for e in exc.errors():
        col = str(e["loc"][0]) if e["loc"] else "row"
        out.append(RowError(line, "products" if col == "product_lines" else col, e["msg"]))
    return out


def _product(text: str) -> dict[str, str | None]:
    m = _PRODUCT.match(text)
    assert m is not None  # the pattern matches any string
    return {"name": m[1], "hs_code": m[2].strip() if m[2] else None}


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


def _text(cell: Any) -> str:
    """A cell as text; Excel stores 1234 as 1234.0 and ids must not grow a '.0'."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise ValueError("file: not UTF-8; in Excel save as 'CSV UTF-8'") from exc
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # Excel in many locales writes ';'
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(data: bytes) -> list[list[Any]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValueError(f"file: not a readable XLSX workbook ({type(exc).__name__})") from exc
    try:
        sheet = book.worksheets[0]
        rows: list[list[Any]] = []
        for r in sheet.iter_rows(values_only=True):
            rows.append(list(r))
            if len(rows) > MAX_ROWS + 1:
                raise ValueError(f"file: more than {MAX_ROWS} rows per file")
        return rows
    finally:
        book.close()


# --- export --------------------------------------------------------------------------------


def to_cells(profile: EnterpriseCreate, fair: FairColumns) -> dict[str, str]:
    """One row in the import layout, so an exported file imports back unchanged."""
    data = profile.model_dump()
    cells: dict[str, str] = {}
    for col in PROFILE_COLUMNS:
        if col == "products":
            cells[col] = "; ".join(
                p.name + (f" [{p.hs_code}]" if p.hs_code else "") for p in profile.product_lines
            )
        elif col in LISTS:
            cells[col] = "; ".join(data[col])
        else:
            value = data[col]
            cells[col] = "" if value is None else _number(value)
    for col in FAIR_COLUMNS:
        value = getattr(fair, col)
        if isinstance(value, bool):
            cells[col] = "yes" if value else "no"
        elif isinstance(value, list):
            cells[col] = "; ".join(value)
        else:
            cells[col] = str(value)
    cells["role"] = fair.role.value
    return cells


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value.value if hasattr(value, "value") else value)


def text_cell(sheet: Any, value: str) -> WriteOnlyCell:
    """A cell that stays text: '=SUM(...)' is not a formula (nor an injection); control
    characters, which a worksheet cannot hold, are dropped."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def write(rows: Iterable[Mapping[str, str]], columns: Sequence[str], fmt: Format) -> bytes:
    """A table as CSV (UTF-8 with BOM, so Excel reads it) or as a one-sheet XLSX."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("participants")
    sheet.append(list(columns))
    for row in rows:
        sheet.append([text_cell(sheet, row.get(c, "")) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
