"""Property tests for the spreadsheet importer: any bytes are read or refused with a message
(never another exception), hostile cells survive an export -> import round trip unchanged, and
no exported CSV cell starts a formula."""

import csv
import io
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.entities import EnterpriseCreate
from service.fairs.filetypes import detect_format
from service.fairs.spreadsheets import (
    COLUMNS,
    FairColumns,
    neutralise,
    parse,
    restore,
    to_cells,
    write,
)
from service.fairs.tables import ParticipantRole

FORMULA = re.compile(r"[=+\-@\t\r]")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# one line per row: a writer that does not quote a bare CR or LF makes it a line break; text a
# file can hold (a lone surrogate has no UTF-8 bytes)
_cell = st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=20
) | st.sampled_from(["=1+1", "+86 23", "@SUM(A1)", "-2", "'=x", "'"])


@PROPERTY
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused_with_a_message(data: bytes) -> None:
    try:
        parse(data, detect_format(data))
    except ValueError as exc:
        assert str(exc).startswith(("file:", "mapping:")), exc


@PROPERTY
@given(
    st.lists(st.lists(_cell, min_size=1, max_size=4), min_size=1, max_size=5),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_any_table_of_text_is_read_or_refused_with_a_message(
    rows: list[list[str]], delimiter: str, newline: str
) -> None:
    out = io.StringIO()
    header = ["external_id", "name", "role"]
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows([header, *rows])
    try:
        parsed = parse(out.getvalue().encode(), "csv")
    except ValueError as exc:
        assert str(exc).startswith("file:"), exc
    else:
        assert len(parsed.rows) + len({e.line for e in parsed.errors}) <= len(rows)


@PROPERTY
@given(st.text(max_size=60))
def test_neutralised_cells_start_no_formula_and_restore_exactly(value: str) -> None:
    cell = neutralise(value)
    assert not FORMULA.match(cell)
    assert restore(cell) == value


_value = st.sampled_from(["=", "+", "-", "@", "'=", "''+"]).flatmap(
    lambda start: st.text(st.characters(codec="ascii", categories=["L", "N"]), max_size=12).map(
        lambda rest: start + rest
    )
)


@PROPERTY
@given(name=_value, city=_value, phone=_value, fmt=st.sampled_from(["csv", "xlsx"]))
def test_cells_that_look_like_formulas_survive_a_round_trip(
    name: str, city: str, phone: str, fmt: str
) -> None:
    profile = EnterpriseCreate.model_validate(
        {"external_id": "x1", "name": name, "role": "buyer", "city": city, "contact_phone": phone}
    )
    fair = FairColumns(role=ParticipantRole.buyer)
    data = write([to_cells(profile, fair)], COLUMNS, "csv" if fmt == "csv" else "xlsx")
    if fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
        assert not [c for c in cells if FORMULA.match(c)]
    [row] = parse(data, "csv" if fmt == "csv" else "xlsx").rows
    assert row.profile == profile
