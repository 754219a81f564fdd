"""Moving one meeting by hand: which cells (slot, table) it may go to with every other meeting
staying where it is, and why any other cell is refused.

Written apart from the scheduler's arrays, over the same input the checker reads; the tests hold
it to the independent checker (a move it allows leaves a valid plan valid, and one it refuses
would not).
"""

from __future__ import annotations

from collections.abc import Sequence

from service.fairs.scheduling.types import FairInput, Placement

Pair = tuple[int, int]  # (supplier id, buyer id)


def move_problem(
    fair: FairInput, meetings: Sequence[Placement], pair: Pair, slot: int, table: int
) -> str | None:
    """Why the meeting of `pair` cannot move to (slot, table); None when it can."""
    if not 0 <= slot < fair.n_slots:
        return f"slot {slot} is outside 0..{fair.n_slots - 1}"
    if not 0 <= table < fair.n_tables:
        return f"table {table} is outside 0..{fair.n_tables - 1}"
    return _slot_problem(fair, meetings, pair, slot) or _table_problem(meetings, pair, slot, table)


def free_cells(fair: FairInput, meetings: Sequence[Placement], pair: Pair) -> list[tuple[int, int]]:
    """Every (slot, table) the meeting of `pair` may move to, its own cell included."""
    cells = []
    for slot in range(fair.n_slots):
        if _slot_problem(fair, meetings, pair, slot) is not None:
            continue
        taken = {m.table for m in meetings if m.slot == slot and _pair(m) != pair}
        cells += [(slot, t) for t in range(fair.n_tables) if t not in taken]
    return cells


def _pair(m: Placement) -> Pair:
    return (m.supplier_id, m.buyer_id)


def _slot_problem(
    fair: FairInput, meetings: Sequence[Placement], pair: Pair, slot: int
) -> str | None:
    if slot in fair.breaks:
        return f"slot {slot} is a break"
    people = {p.id: p for p in fair.participants}
    for pid in pair:
        person = people.get(pid)
        if person is None:
            return f"participant {pid} no longer takes part"
        if person.available is not None and slot not in person.available:
            return f"participant {pid} is not available in slot {slot}"
    for m in meetings:
        if m.slot == slot and _pair(m) != pair and set(pair) & {m.supplier_id, m.buyer_id}:
            who = (set(pair) & {m.supplier_id, m.buyer_id}).pop()
            return f"participant {who} already meets in slot {slot} ({m.supplier_id}-{m.buyer_id})"
    return None


def _table_problem(meetings: Sequence[Placement], pair: Pair, slot: int, table: int) -> str | None:
    for m in meetings:
        if m.slot == slot and m.table == table and _pair(m) != pair:
            return f"table {table} is taken in slot {slot} ({m.supplier_id}-{m.buyer_id})"
    return None
