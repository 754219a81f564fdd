"""Placement rounds from an event's sessions and breaks, and participants' availability windows.

Times are the event's local wall-clock times (naive datetimes); the event's time zone is
applied only when calendars are written.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

_WINDOW = re.compile(r"^\s*(?:(\d{4}-\d{2}-\d{2})\s+)?(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")
MAX_SLOTS = 400  # a week of 15-minute rounds, 10 hours a day, with room to spare


@dataclass(frozen=True, slots=True)
class Period:
    starts_at: datetime
    ends_at: datetime
    is_break: bool = False


@dataclass(frozen=True, slots=True)
class Slot:
    index: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Window:
    day: date | None  # None: every day of the event
    start: time
    end: time

    def holds(self, slot: Slot) -> bool:
        if self.day is not None and slot.starts_at.date() != self.day:
            return False
        return self.start <= slot.starts_at.time() and slot.ends_at.time() <= self.end


def parse_window(text: str) -> Window:
    """'2025-05-20 09:00-12:00' or '09:00-12:00'; raises ValueError with an example."""
    m = _WINDOW.match(text)
    if m is None:
        raise ValueError(f"window {text!r} is not like '2025-05-20 09:00-12:00' or '14:00-17:00'")
    try:
        day = date.fromisoformat(m[1]) if m[1] else None
        start, end = time.fromisoformat(m[2].zfill(5)), time.fromisoformat(m[3].zfill(5))
    except ValueError as exc:
        raise ValueError(f"window {text!r}: {exc}") from exc
    if end <= start:
        raise ValueError(f"window {text!r} ends before it starts")
    return Window(day, start, end)


def normalise_window(text: str) -> str:
    w = parse_window(text)
    hours = f"{w.start:%H:%M}-{w.end:%H:%M}"
    return f"{w.day.isoformat()} {hours}" if w.day else hours


def make_slots(periods: Sequence[Period], minutes: int) -> list[Slot]:
    """Back-to-back rounds of `minutes` inside meeting periods, skipping over breaks.

    A round that would overlap a break starts when the break ends; rounds never cross the end
    of their period. Raises ValueError for inverted periods or more than MAX_SLOTS rounds.
    """
    for p in periods:
        if p.ends_at <= p.starts_at:
            raise ValueError(f"sessions: {p.starts_at} - {p.ends_at} ends before it starts")
    length = timedelta(minutes=minutes)
    breaks = sorted((p for p in periods if p.is_break), key=lambda p: p.starts_at)
    slots: list[Slot] = []
    for p in sorted((p for p in periods if not p.is_break), key=lambda p: p.starts_at):
        t = max(p.starts_at, slots[-1].ends_at) if slots else p.starts_at
        while t + length <= p.ends_at:
            clash = next((b for b in breaks if b.starts_at < t + length and t < b.ends_at), None)
            if clash is not None:
                t = clash.ends_at
                continue
            slots.append(Slot(len(slots), t, t + length))
            if len(slots) > MAX_SLOTS:
                raise ValueError(f"sessions: more than {MAX_SLOTS} meeting rounds")
            t += length
    return slots


def available_slots(windows: Sequence[str], slots: Sequence[Slot]) -> frozenset[int] | None:
    """Slot indices inside any window; None (every slot) when no window is given."""
    if not windows:
        return None
    parsed = [parse_window(w) for w in windows]
    return frozenset(s.index for s in slots if any(w.holds(s) for w in parsed))
