"""Inputs and outputs of the meeting scheduler, shared with the independent checker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AttendeeRole = Literal["supplier", "buyer"]


@dataclass(frozen=True)
class Attendee:
    """One enterprise at the fair; `available=None` means every slot."""

    id: int
    role: AttendeeRole
    max_meetings: int
    available: frozenset[int] | None = None


@dataclass(frozen=True)
class Candidate:
    """A pair allowed to meet, scored in [0, 1]; `required` pairs are placed first if feasible.

    Do-not-meet pairs are simply never given as candidates.
    """

    supplier_id: int
    buyer_id: int
    score: float
    required: bool = False


@dataclass(frozen=True)
class FairInput:
    """Slots 0..n_slots-1 with n_tables tables each; `breaks` are slots in which nobody meets."""

    n_slots: int
    n_tables: int
    participants: tuple[Attendee, ...]
    candidates: tuple[Candidate, ...]
    breaks: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Placement:
    """A meeting at (slot, table). A `locked` one was fixed by hand: a re-plan keeps it there
    whenever it is still feasible, before anything else."""

    supplier_id: int
    buyer_id: int
    slot: int
    table: int
    score: float
    locked: bool = False


@dataclass(frozen=True)
class PlanStats:
    """`objective` is the sum of meeting scores; `unmatched` lists ids (sorted) of participants
    with at least one candidate pair but no meeting; `moved` counts previous meetings not kept in
    place although both participants are still present (0 for a fresh plan)."""

    objective: float
    n_meetings: int
    unmatched: tuple[int, ...]
    required_missing: tuple[tuple[int, int], ...]
    moved: int
    seconds: float
    method: str


@dataclass(frozen=True)
class Plan:
    """Meetings sorted by (slot, table)."""

    meetings: tuple[Placement, ...]
    stats: PlanStats
