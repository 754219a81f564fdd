"""Rounds from sessions and breaks, availability windows, and agenda files."""

from datetime import datetime

import icalendar
import pytest

from service.fairs.agendas import (
    Agenda,
    AgendaItem,
    GridMeeting,
    grid_rows,
    to_html,
    to_ics,
    to_pdf,
)
from service.fairs.scheduling.timeslots import Period, available_slots, make_slots, parse_window


def _at(hhmm: str, day: int = 20) -> datetime:
    return datetime.fromisoformat(f"2025-05-{day}T{hhmm}")


def test_rounds_jump_over_a_break_that_does_not_fit_the_grid() -> None:
    periods = [
        Period(_at("09:00"), _at("10:30")),
        Period(_at("09:40"), _at("09:50"), is_break=True),
        Period(_at("09:00", 21), _at("09:30", 21)),
    ]
    starts = [f"{s.starts_at:%d %H:%M}" for s in make_slots(periods, 15)]
    assert starts == ["20 09:00", "20 09:15", "20 09:50", "20 10:05", "21 09:00", "21 09:15"]


def test_windows_pick_slots_by_day_and_time_and_bad_ones_say_how_to_write_them() -> None:
    slots = make_slots(
        [Period(_at("09:00"), _at("10:00")), Period(_at("09:00", 21), _at("10:00", 21))], 30
    )
    assert available_slots([], slots) is None
    assert available_slots(["09:30-10:00"], slots) == frozenset({1, 3})
    assert available_slots(["2025-05-21 09:00-10:00"], slots) == frozenset({2, 3})
    with pytest.raises(ValueError, match="'14:00-17:00'"):
        parse_window("afternoons")
    with pytest.raises(ValueError, match="ends before"):
        parse_window("12:00-09:00")


def _agenda(slot_hour: str, sequence: int, cancelled: bool = False) -> Agenda:
    item = AgendaItem(
        uid="event1-s2-b3@matchfair",
        sequence=sequence,
        cancelled=cancelled,
        starts_at=_at(slot_hour),
        ends_at=_at(slot_hour).replace(minute=15),
        table=7,
        partner="Rhein Asia <Markt>",
        partner_country="Germany",
        reason="Needs hotpot base.",
        contact="",
        interpreter=True,
    )
    return Agenda("Fair", "Hall 3", "Asia/Shanghai", "重庆火锅 Foods", "supplier", (item,))


def test_calendar_entry_keeps_its_uid_when_moved_and_cancelled() -> None:
    first = icalendar.Calendar.from_ical(to_ics(_agenda("09:00", 0))).walk("VEVENT")[0]
    moved = icalendar.Calendar.from_ical(to_ics(_agenda("10:00", 1))).walk("VEVENT")[0]
    gone = icalendar.Calendar.from_ical(to_ics(_agenda("10:00", 2, cancelled=True))).walk("VEVENT")[
        0
    ]
    assert first["uid"] == moved["uid"] == gone["uid"]
    assert (first["sequence"], moved["sequence"], gone["sequence"]) == (0, 1, 2)
    assert str(gone["status"]) == "CANCELLED"
    assert moved.decoded("dtstart").utcoffset().total_seconds() == 8 * 3600


def test_printable_agendas_escape_names_and_render_unicode() -> None:
    page = to_html(_agenda("09:00", 0))
    assert "Rhein Asia &lt;Markt&gt;" in page and "interpreter" in page
    assert to_pdf(_agenda("09:00", 0)).startswith(b"%PDF")
    assert "No meetings" in to_html(_agenda("09:00", 1, cancelled=True))


def test_grid_has_a_row_per_round_and_a_column_per_table() -> None:
    slots = make_slots([Period(_at("09:00"), _at("09:30"))], 15)
    rows = grid_rows(slots, 2, [GridMeeting(1, 1, "Dean", "Rhein", 0.8)])
    assert rows == [
        ["round", "time", "table 1", "table 2"],
        ["1", "2025-05-20 09:00-09:15", "", ""],
        ["2", "2025-05-20 09:15-09:30", "", "Dean / Rhein"],
    ]
