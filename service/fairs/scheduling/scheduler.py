"""Placement scheduler for a B2B matchmaking fair: pure code, arrays and dataclasses in and out.

Objective, lexicographic: (1) place as many required pairs as possible, (2) give as many
participants as possible at least one meeting, (3) maximise the sum of scores. Steps 2-3 are
one LP: each participant's first meeting earns a bonus larger than any achievable score total.
Pairs are chosen by an integral b-matching LP (HiGHS) that ignores time; slots are then given
by per-slot matchings with Kempe-chain repair, and left-over tables are topped up optimally
per slot. Everything is sorted first and HiGHS is deterministic, so equal input -> equal plan.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from service.fairs.scheduling.lp import solve_b_matching
from service.fairs.scheduling.problem import State, index_input
from service.fairs.scheduling.slots import assign, choose, placeable, top_up
from service.fairs.scheduling.types import FairInput, Placement, Plan, PlanStats


def schedule(fair: FairInput) -> Plan:
    """Plan meetings for `fair` from scratch; raises ValueError on inconsistent input."""
    start = time.perf_counter()
    pb = index_input(fair)
    state = State(pb)
    _optimise(state)
    return _finish(state, (), start, "lp+kempe")


def replan(previous: Sequence[Placement], fair: FairInput) -> Plan:
    """Re-plan after late changes, keeping previous meetings in place (same slot and table).

    Locked meetings are kept first, then the other previous meetings that are still feasible
    (higher scores first when caps shrank); the freed capacity is then filled as in `schedule`.
    `stats.moved` counts previous meetings whose two participants are still present but which
    are not kept exactly in place.
    """
    start = time.perf_counter()
    pb = index_input(fair)
    state = State(pb)
    taken: set[tuple[int, int]] = set()
    locked: set[int] = set()
    order = sorted(previous, key=lambda m: (not m.locked, -m.score, m.slot, m.table, m.supplier_id))
    for m in order:
        e = pb.edge_of.get((m.supplier_id, m.buyer_id))
        if e is None or not 0 <= m.slot < pb.n_slots or not 0 <= m.table < pb.table_cap[m.slot]:
            continue
        u, v = int(pb.eu[e]), int(pb.ev[e])
        if (
            state.slot_of[e] >= 0
            or not pb.allowed[e, m.slot]
            or (m.slot, m.table) in taken
            or state.occ[u, m.slot] >= 0
            or state.occ[v, m.slot] >= 0
            or state.count[u] >= pb.cap[u]
            or state.count[v] >= pb.cap[v]
        ):
            continue
        state.place(e, m.slot, m.table, movable=False)
        taken.add((m.slot, m.table))
        if m.locked:
            locked.add(e)
    _optimise(state)
    return _finish(state, previous, start, "replan:lp+kempe", locked)


def greedy_schedule(fair: FairInput) -> Plan:
    """Baseline: required pairs first, then by score; each takes its first feasible slot."""
    start = time.perf_counter()
    pb = index_input(fair)
    state = State(pb)
    order = np.lexsort((np.arange(len(pb.eu)), -pb.score, ~pb.required))
    for e in order:
        u, v = pb.eu[e], pb.ev[e]
        if state.count[u] < pb.cap[u] and state.count[v] < pb.cap[v]:
            free = state.free_slots(int(e))
            if free.any():
                state.place(int(e), int(np.argmax(free)))
    return _finish(state, (), start, "greedy")


def score_bound(fair: FairInput) -> float:
    """Upper bound on any plan's total score: the pair-selection LP with time ignored.

    Caps are cut to each participant's available slots, pairs without a common slot are
    dropped, and the total is limited by the tables summed over all slots.
    """
    pb = index_input(fair)
    state = State(pb)
    edges = placeable(state, np.arange(len(pb.eu), dtype=np.int64))
    _, value = solve_b_matching(
        pb.eu[edges],
        pb.ev[edges],
        pb.score[edges],
        state.room(),
        np.zeros(pb.n_nodes),
        int(pb.table_cap.sum()),
    )
    return value


def _optimise(state: State) -> None:
    pb = state.pb
    required = placeable(state, np.flatnonzero(pb.required))
    if len(required):
        # Count first; scores only break ties (their sum stays below one edge's weight).
        weight = 1.0 + pb.score[required] / (len(required) + 1)
        assign(state, choose(state, required, weight, cover=False))
    edges = placeable(state, np.arange(len(pb.eu), dtype=np.int64))
    assign(state, choose(state, edges, pb.score[edges], cover=True))
    top_up(state)


def _finish(
    state: State,
    previous: Sequence[Placement],
    start: float,
    method: str,
    locked: set[int] | None = None,
) -> Plan:
    pb = state.pb
    placed = np.flatnonzero(state.slot_of >= 0)
    for slot in range(pb.n_slots):
        here = placed[state.slot_of[placed] == slot]
        used = set(state.table_of[here].tolist())
        spare = (t for t in range(int(pb.table_cap[slot])) if t not in used)
        for e in here[state.table_of[here] < 0]:
            state.table_of[e] = next(spare)
    meetings = tuple(
        sorted(
            (
                Placement(
                    supplier_id=int(pb.ids[pb.eu[e]]),
                    buyer_id=int(pb.ids[pb.ev[e]]),
                    slot=int(state.slot_of[e]),
                    table=int(state.table_of[e]),
                    score=float(pb.score[e]),
                    locked=int(e) in (locked or set()),
                )
                for e in placed
            ),
            key=lambda m: (m.slot, m.table),
        )
    )
    has_pair = np.zeros(pb.n_nodes, dtype=np.bool_)
    has_pair[pb.eu] = has_pair[pb.ev] = True
    missing = np.flatnonzero(pb.required & (state.slot_of < 0))
    kept = {(m.supplier_id, m.buyer_id, m.slot, m.table) for m in meetings}
    moved = sum(
        1
        for m in previous
        if m.supplier_id in pb.node_of
        and m.buyer_id in pb.node_of
        and (m.supplier_id, m.buyer_id, m.slot, m.table) not in kept
    )
    stats = PlanStats(
        objective=float(pb.score[placed].sum()),
        n_meetings=len(meetings),
        unmatched=tuple(sorted(int(i) for i in pb.ids[has_pair & (state.count == 0)])),
        required_missing=tuple((int(pb.ids[pb.eu[e]]), int(pb.ids[pb.ev[e]])) for e in missing),
        moved=moved,
        seconds=time.perf_counter() - start,
        method=method,
    )
    return Plan(meetings=meetings, stats=stats)
