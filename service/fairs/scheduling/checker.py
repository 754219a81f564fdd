"""Independent plan checker: re-derives every constraint from the input, shares no scheduler code.

Written plainly (dicts and loops, no numpy) so that a bug in the scheduler's indexing cannot
hide itself here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from service.fairs.scheduling.types import FairInput, Placement


def check_plan(fair: FairInput, meetings: Sequence[Placement]) -> list[str]:
    """Every hard-constraint violation in `meetings`, one readable line each; [] means valid."""
    people = {p.id: p for p in fair.participants}
    candidates = {(c.supplier_id, c.buyer_id): c for c in fair.candidates}
    problems: list[str] = []
    busy: dict[tuple[int, int], Placement] = {}
    tables: dict[tuple[int, int], Placement] = {}
    pairs: Counter[tuple[int, int]] = Counter()
    load: Counter[int] = Counter()
    for m in meetings:
        name = f"meeting {m.supplier_id}-{m.buyer_id} at slot {m.slot} table {m.table}"
        if not 0 <= m.slot < fair.n_slots:
            problems.append(f"{name}: slot outside 0..{fair.n_slots - 1}")
        elif m.slot in fair.breaks:
            problems.append(f"{name}: slot is a break")
        if not 0 <= m.table < fair.n_tables:
            problems.append(f"{name}: table outside 0..{fair.n_tables - 1}")
        pair = (m.supplier_id, m.buyer_id)
        cand = candidates.get(pair)
        if cand is None:
            problems.append(f"{name}: pair is not a candidate")
        elif abs(cand.score - m.score) > 1e-9:
            problems.append(f"{name}: score {m.score} but candidate score is {cand.score}")
        pairs[pair] += 1
        for pid, role in ((m.supplier_id, "supplier"), (m.buyer_id, "buyer")):
            person = people.get(pid)
            if person is None:
                problems.append(f"{name}: participant {pid} is not registered")
                continue
            if person.role != role:
                problems.append(f"{name}: participant {pid} is a {person.role}, not a {role}")
            if person.available is not None and m.slot not in person.available:
                problems.append(f"{name}: participant {pid} is not available then")
            if (pid, m.slot) in busy:
                other = busy[(pid, m.slot)]
                problems.append(
                    f"{name}: participant {pid} is double-booked "
                    f"(also {other.supplier_id}-{other.buyer_id})"
                )
            busy[(pid, m.slot)] = m
        if (m.slot, m.table) in tables:
            other = tables[(m.slot, m.table)]
            problems.append(
                f"{name}: table double-booked (also {other.supplier_id}-{other.buyer_id})"
            )
        tables[(m.slot, m.table)] = m
        load[m.slot] += 1
    for pair, times in sorted(pairs.items()):
        if times > 1:
            problems.append(f"pair {pair[0]}-{pair[1]} meets {times} times")
    held = Counter(pid for m in meetings for pid in (m.supplier_id, m.buyer_id))
    for pid, person in sorted(people.items()):
        if held[pid] > person.max_meetings:
            problems.append(
                f"participant {pid} has {held[pid]} meetings, cap {person.max_meetings}"
            )
    for slot, count in sorted(load.items()):
        if count > fair.n_tables:
            problems.append(f"slot {slot} holds {count} meetings for {fair.n_tables} tables")
    return problems


def missing_required(fair: FairInput, meetings: Sequence[Placement]) -> list[str]:
    """Warnings for required pairs not in the plan (placing them may have been infeasible)."""
    held = {(m.supplier_id, m.buyer_id) for m in meetings}
    return [
        f"required pair {c.supplier_id}-{c.buyer_id} has no meeting"
        for c in sorted(fair.candidates, key=lambda c: (c.supplier_id, c.buyer_id))
        if c.required and (c.supplier_id, c.buyer_id) not in held
    ]


def check_locked(
    fair: FairInput, previous: Sequence[Placement], meetings: Sequence[Placement]
) -> list[str]:
    """Locked meetings of `previous` that a re-plan had to keep in place but did not.

    One had to stay when, on its own, it still fits the input (a candidate pair, both available
    then, a real table, not a break) and no other locked meeting claims its participants' time,
    its table or more of a participant's meetings than the cap allows.
    """
    people = {p.id: p for p in fair.participants}
    pairs = {(c.supplier_id, c.buyer_id) for c in fair.candidates}
    locked = [m for m in previous if m.locked]
    claims: Counter[tuple[object, ...]] = Counter()
    load: Counter[int] = Counter()
    for m in locked:
        claims[("cell", m.slot, m.table)] += 1
        for pid in (m.supplier_id, m.buyer_id):
            claims[("busy", pid, m.slot)] += 1
            load[pid] += 1
    here = {(m.supplier_id, m.buyer_id, m.slot, m.table) for m in meetings}
    problems = []
    for m in locked:
        ids = (m.supplier_id, m.buyer_id)
        alone = (
            ids in pairs
            and 0 <= m.slot < fair.n_slots
            and m.slot not in fair.breaks
            and 0 <= m.table < fair.n_tables
            and all(pid in people and _free(people[pid].available, m.slot) for pid in ids)
        )
        contested = claims[("cell", m.slot, m.table)] > 1 or any(
            claims[("busy", pid, m.slot)] > 1 or load[pid] > people[pid].max_meetings
            for pid in ids
            if pid in people
        )
        if alone and not contested and (*ids, m.slot, m.table) not in here:
            problems.append(
                f"locked meeting {m.supplier_id}-{m.buyer_id} at slot {m.slot} table {m.table} "
                "was not kept in place"
            )
    return problems


def _free(available: frozenset[int] | None, slot: int) -> bool:
    return available is None or slot in available
