"""Spreadsheet parsing: column mapping, per-row errors, size limits, CSV/XLSX round trips."""

import io

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.entities import EnterpriseCreate, EnterpriseRole, ProductLineCreate
from service.fairs import spreadsheets
from service.fairs.spreadsheets import COLUMNS, FairColumns, parse, to_cells, write
from service.fairs.tables import ParticipantRole


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_mapped_headers_and_numeric_ids_parses() -> None:
    data = _xlsx(
        [
            ["Ref", "Company", "Role", "Products", "Available", "Interpreter", "Must meet"],
            [
                1001,
                "Dean Hotpot",
                "Supplier",
                "Hotpot base [2103.90]; Chili oil",
                "09:00-12:00",
                "yes",
                "1002",
            ],
            [1002, "Rhein Asia", "buyer", None, "2025-05-20 14:00-17:00", None, None],
            [None, None, None, None, None, None, None],
        ]
    )
    parsed = parse(
        data, "xlsx", {"external_id": "Ref", "name": "Company", "needs_interpreter": "Interpreter"}
    )
    assert parsed.errors == []
    dean, rhein = parsed.rows
    assert dean.profile.external_id == "1001" and dean.profile.role is EnterpriseRole.supplier
    assert [(p.name, p.hs_code) for p in dean.profile.product_lines] == [
        ("Hotpot base", "210390"),
        ("Chili oil", None),
    ]
    assert dean.fair.needs_interpreter and dean.fair.must_meet == ["1002"]
    assert rhein.fair.available == ["2025-05-20 14:00-17:00"] and rhein.line == 3


def test_every_bad_cell_is_reported_with_its_row_and_column() -> None:
    data = (
        b"external_id;name;role;available;max_meetings;years_exporting\n"
        b"a;Acme;supplier;9-12;5;3\n"
        b"a;Acme again;buyer;;500;x\n"
        b";;;;;\n"
        b"c;;both;;;\n"
    )
    errors = {(e.line, e.column) for e in parse(data, "csv").errors}
    assert errors == {
        (2, "available"),
        (3, "external_id"),
        (3, "max_meetings"),
        (3, "years_exporting"),
        (5, "name"),
        (5, "role"),
    }


def test_file_level_problems_name_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="missing required column"):
        parse(b"name,role\nAcme,buyer\n", "csv")
    with pytest.raises(ValueError, match="mapping: header 'Firm'"):
        parse(b"external_id,name,role\n", "csv", {"name": "Firm"})
    with pytest.raises(ValueError, match="unknown column"):
        parse(b"external_id,name,role\n", "csv", {"turnover": "Sales"})
    with pytest.raises(ValueError, match="UTF-8"):
        parse("external_id,name,role\n1,Müller,buyer\n".encode("latin-1"), "csv")
    with pytest.raises(ValueError, match="not a readable XLSX"):
        parse(b"PK\x03\x04 broken", "xlsx")
    too_many = b"external_id,name,role\n" + b"".join(
        f"{i},n{i},buyer\n".encode() for i in range(spreadsheets.MAX_ROWS + 1)
    )
    with pytest.raises(ValueError, match=f"at most {spreadsheets.MAX_ROWS}"):
        parse(too_many, "csv")


_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"], exclude_characters=";[]"),
    max_size=30,
).map(str.strip)
_label = _text.filter(bool)
_products = st.tuples(_label, st.none() | st.sampled_from(["0202", "210390"]))


@st.composite
def _rows(draw: st.DrawFn) -> tuple[EnterpriseCreate, FairColumns]:
    role = draw(st.sampled_from([ParticipantRole.supplier, ParticipantRole.buyer]))
    profile = EnterpriseCreate(
        external_id=draw(_label),
        name=draw(_label),
        role=EnterpriseRole(role.value),
        description=draw(_text),
        country=draw(_text),
        years_exporting=draw(st.integers(0, 200)),
        annual_capacity=draw(st.none() | st.integers(0, 10**9).map(float)),
        certifications=draw(st.lists(_label, max_size=3)),
        export_markets=[],
        languages=[],
        product_lines=[
            ProductLineCreate(name=n, hs_code=h) for n, h in draw(st.lists(_products, max_size=3))
        ],
        contact_email=draw(_text),
    )
    fair = FairColumns(
        role=role,
        max_meetings=draw(st.integers(0, 100)),
        available=draw(st.lists(st.sampled_from(["09:00-12:00", "14:00-17:30"]), max_size=2)),
        needs_interpreter=draw(st.booleans()),
    )
    return profile, fair


@settings(max_examples=40, deadline=None)
@given(
    st.lists(_rows(), min_size=1, max_size=5, unique_by=lambda r: r[0].external_id),
    st.sampled_from(["csv", "xlsx"]),
)
def test_an_exported_file_imports_back_unchanged(
    rows: list[tuple[EnterpriseCreate, FairColumns]], fmt: spreadsheets.Format
) -> None:
    data = write([to_cells(p, f) for p, f in rows], COLUMNS, fmt)
    parsed = parse(data, fmt)
    assert parsed.errors == []
    assert [(r.profile, r.fair) for r in parsed.rows] == rows


def test_control_characters_are_dropped_from_xlsx_exports_instead_of_failing() -> None:
    profile = EnterpriseCreate.model_validate(
        {"external_id": "x1", "name": "Bell\x07 Foods", "role": "buyer"}
    )
    data = write([to_cells(profile, FairColumns(role=ParticipantRole.buyer))], COLUMNS, "xlsx")
    assert parse(data, "xlsx").rows[0].profile.name == "Bell Foods"
