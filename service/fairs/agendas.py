"""Agendas and the meeting grid as files: printable HTML, PDF, iCalendar, XLSX and CSV. Pure.

Calendar UIDs come from the event and the pair, never the slot, so a re-planned meeting
updates the attendee's calendar entry (with a higher SEQUENCE) instead of adding a second one.
"""

import csv
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
from fpdf import FPDF

from service.fairs.scheduling.timeslots import Slot
from service.fairs.spreadsheets import text_cell

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Unicode names when present
_CJK = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Chinese names (fonts-wqy-microhei)
GridFormat = Literal["xlsx", "csv"]


def meeting_uid(event_id: int, supplier_enterprise_id: int, buyer_enterprise_id: int) -> str:
    return f"event{event_id}-s{supplier_enterprise_id}-b{buyer_enterprise_id}@matchfair"


@dataclass(frozen=True, slots=True)
class AgendaItem:
    uid: str
    sequence: int
    cancelled: bool
    starts_at: datetime  # event-local wall-clock time
    ends_at: datetime
    table: int  # as printed, from 1
    partner: str
    partner_country: str
    reason: str
    contact: str  # "" unless both sides accepted a meeting request
    interpreter: bool


@dataclass(frozen=True, slots=True)
class Agenda:
    event: str
    venue: str
    timezone: str
    participant: str
    role: str
    items: tuple[AgendaItem, ...]

    @property
    def scheduled(self) -> list[AgendaItem]:
        return sorted((i for i in self.items if not i.cancelled), key=lambda i: i.starts_at)


def _when(item: AgendaItem) -> str:
    return f"{item.starts_at:%a %d %b %H:%M}-{item.ends_at:%H:%M}"


def to_html(agenda: Agenda) -> str:
    """A self-contained printable page (one participant per page when printed)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(_when(i))}</td><td>{i.table}</td><td><b>{e(i.partner)}</b> "
        f"({e(i.partner_country)}){' · interpreter' if i.interpreter else ''}"
        f"<br><small>{e(i.reason)}</small>{f'<br>{e(i.contact)}' if i.contact else ''}</td></tr>"
        for i in agenda.scheduled
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{e(agenda.participant)} — {e(agenda.event)}</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #999;padding:.4em;vertical-align:top;text-align:left}"
        "@media print{body{margin:0}tr{page-break-inside:avoid}}</style></head><body>"
        f"<h1>{e(agenda.participant)}</h1><p>{e(agenda.event)} · {e(agenda.venue)} · "
        f"{e(agenda.role)} · times in {e(agenda.timezone)}</p>"
        f"<table><tr><th>Time</th><th>Table</th><th>Partner</th></tr>{rows}</table>"
        f"{'' if agenda.scheduled else '<p>No meetings scheduled.</p>'}</body></html>"
    )


def to_pdf(agenda: Agenda) -> bytes:
    pdf = FPDF()
    if _FONT.exists():
        pdf.add_font("body", fname=str(_FONT))
        font = "body"
        if _CJK.exists():  # glyphs DejaVu lacks (Chinese event and company names) come from here
            pdf.add_font("cjk", fname=str(_CJK))
            pdf.set_fallback_fonts(["cjk"])
    else:
        font = "helvetica"
    clean = (lambda s: s) if font == "body" else _latin1
    pdf.add_page()
    pdf.set_font(font, size=16)
    pdf.multi_cell(0, 9, clean(agenda.participant), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=10)
    line = f"{agenda.event} · {agenda.venue} · {agenda.role} · times in {agenda.timezone}"
    pdf.multi_cell(0, 6, clean(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for i in agenda.scheduled:
        pdf.set_font(font, size=11)
        head = f"{_when(i)}   table {i.table}   {i.partner} ({i.partner_country})"
        head += "   [interpreter]" if i.interpreter else ""
        pdf.multi_cell(0, 6, clean(head), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, size=8)
        detail = i.reason + (f"\nContact: {i.contact}" if i.contact else "")
        pdf.multi_cell(0, 4, clean(detail), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if not agenda.scheduled:
        pdf.multi_cell(0, 6, "No meetings scheduled.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    return text.replace("·", "-").encode("latin-1", "replace").decode("latin-1")


def to_ics(agenda: Agenda) -> bytes:
    """One VEVENT per meeting ever planned; cancelled ones carry STATUS:CANCELLED."""
    zone = ZoneInfo(agenda.timezone)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Matchfair//fair agenda//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{agenda.event}: {agenda.participant}")
    for i in sorted(agenda.items, key=lambda i: i.uid):
        ev = icalendar.Event()
        ev.add("uid", i.uid)
        ev.add("sequence", i.sequence)
        ev.add("dtstamp", datetime.now(ZoneInfo("UTC")))
        ev.add("dtstart", i.starts_at.replace(tzinfo=zone))
        ev.add("dtend", i.ends_at.replace(tzinfo=zone))
        ev.add("summary", f"Meeting: {i.partner}")
        ev.add("location", f"{agenda.venue}, table {i.table}")
        ev.add("description", i.reason + (f"\nContact: {i.contact}" if i.contact else ""))
        ev.add("status", "CANCELLED" if i.cancelled else "CONFIRMED")
        cal.add_component(ev)
    return bytes(cal.to_ical())


@dataclass(frozen=True, slots=True)
class GridMeeting:
    slot: int
    table: int  # from 0, as stored
    supplier: str
    buyer: str
    score: float


def grid_rows(
    slots: Sequence[Slot], n_tables: int, meetings: Sequence[GridMeeting]
) -> list[list[str]]:
    """Header plus one row per round: its time, then 'supplier / buyer' at each table."""
    cells = {(m.slot, m.table): f"{m.supplier} / {m.buyer}" for m in meetings}
    header = ["round", "time"] + [f"table {t + 1}" for t in range(n_tables)]
    body = [
        [str(s.index + 1), f"{s.starts_at:%Y-%m-%d %H:%M}-{s.ends_at:%H:%M}"]
        + [cells.get((s.index, t), "") for t in range(n_tables)]
        for s in slots
    ]
    return [header, *body]


def write_grid(
    slots: Sequence[Slot], n_tables: int, meetings: Sequence[GridMeeting], fmt: GridFormat
) -> bytes:
    """CSV: the grid. XLSX: the grid plus a one-meeting-per-line sheet for filtering."""
    grid = grid_rows(slots, n_tables, meetings)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(grid)
        return ("\ufeff" + out.getvalue()).encode()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("grid")
    for row in grid:
        sheet.append([text_cell(sheet, value) for value in row])
    listing = book.create_sheet("meetings")
    listing.append(["round", "starts_at", "table", "supplier", "buyer", "score"])
    for m in sorted(meetings, key=lambda m: (m.slot, m.table)):
        listing.append(
            [m.slot + 1, slots[m.slot].starts_at, m.table + 1, m.supplier, m.buyer, m.score]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
