"""From chosen pairs to slots: per-slot matchings, Kempe-chain repair, then an optimal top-up.

Choosing pairs ignores time (an integral LP, see schedule_lp); this module then colours the
chosen edges with slots. Without availability windows König's theorem says every chosen edge
fits; windows and the table limit can leave a few over, which the repair and the per-slot
top-up (a max-weight matching per slot over all unplaced candidates) win back.
"""

from __future__ import annotations

import numpy as np

from service.fairs.scheduling.lp import Float64Array, IntArray, solve_b_matching
from service.fairs.scheduling.problem import State


def placeable(state: State, edges: IntArray) -> IntArray:
    """Edges not yet placed that still have a slot where both are free and a table is left."""
    pb = state.pb
    edges = edges[state.slot_of[edges] < 0]
    open_ = (
        pb.allowed[edges]
        & (state.occ[pb.eu[edges]] < 0)
        & (state.occ[pb.ev[edges]] < 0)
        & (state.load < pb.table_cap)
    )
    return edges[open_.any(axis=1)]


def coverage_bonus(state: State) -> float:
    """Worth more than any total of scores, so covering one more participant always wins."""
    return 1.0 + float(min(len(state.pb.eu), int(state.pb.table_cap.sum())))


def choose(state: State, edges: IntArray, weights: Float64Array, cover: bool) -> IntArray:
    """Best edge set for the room left (caps, free slots, tables), time ignored."""
    pb = state.pb
    bonus = np.zeros(pb.n_nodes)
    if cover:
        bonus[state.count == 0] = coverage_bonus(state)
    total = int((pb.table_cap - state.load).sum())
    chosen, _ = solve_b_matching(pb.eu[edges], pb.ev[edges], weights, state.room(), bonus, total)
    return edges[chosen]


def assign(state: State, edges: IntArray) -> None:
    """Give chosen edges slots, slot by slot, most urgent first; repair what is left over.

    An edge is urgent when its endpoints have almost as many chosen edges still pending as free
    slots left (urgency 1 = must meet in every remaining slot) or when it has few slots left.
    """
    pb = state.pb
    one_each = np.ones(pb.n_nodes, dtype=np.int64)
    no_bonus = np.zeros(pb.n_nodes)
    for slot in range(pb.n_slots):
        room = int(pb.table_cap[slot] - state.load[slot])
        pending = edges[state.slot_of[edges] < 0]
        if room <= 0 or len(pending) == 0:
            continue
        u, v = pb.eu[pending], pb.ev[pending]
        ahead = pb.allowed[pending, slot:] & (state.occ[u, slot:] < 0) & (state.occ[v, slot:] < 0)
        now = np.flatnonzero(ahead[:, 0])
        if len(now) == 0:
            continue
        degree = np.bincount(np.concatenate([u, v]), minlength=pb.n_nodes)
        slots_left = (pb.avail[:, slot:] & (state.occ[:, slot:] < 0)).sum(axis=1)
        urgency = degree / np.maximum(slots_left, 1)
        uncovered = (state.count == 0).astype(np.float64)
        weight = (
            1.0
            + urgency[u] ** 2
            + urgency[v] ** 2
            + 1.0 / np.maximum(ahead.sum(axis=1), 1)
            + uncovered[u]
            + uncovered[v]
            + 0.1 * pb.score[pending]
        )
        chosen, _ = solve_b_matching(u[now], v[now], weight[now], one_each, no_bonus, room)
        for e in pending[now[chosen]]:
            state.place(int(e), slot)
    for e in edges[state.slot_of[edges] < 0]:
        kempe_place(state, int(e))


def kempe_place(state: State, e: int) -> bool:
    """Place edge e, if need be by swapping slots a<->b along an alternating path (König)."""
    pb = state.pb
    free = state.free_slots(e)
    if free.any():
        state.place(e, int(np.argmax(free)))
        return True
    u, v = int(pb.eu[e]), int(pb.ev[e])
    for a in np.flatnonzero(pb.allowed[e] & (state.occ[u] < 0)):
        for b in np.flatnonzero(pb.allowed[e] & (state.occ[v] < 0)):
            if a != b and _swap_and_place(state, e, int(a), int(b)):
                return True
    return False


def _swap_and_place(state: State, e: int, a: int, b: int) -> bool:
    """u is free in a, v in b: swap a/b along the path from v that starts with v's a-edge."""
    pb = state.pb
    path: list[int] = []
    node, slot = int(pb.ev[e]), a
    while (f := int(state.occ[node, slot])) >= 0:
        other = b if slot == a else a
        if not state.movable[f] or not pb.allowed[f, other] or len(path) > pb.n_nodes:
            return False
        path.append(f)
        node = int(pb.eu[f]) if int(pb.ev[f]) == node else int(pb.ev[f])
        slot = other
    at_a = sum(1 for f in path if state.slot_of[f] == a)
    at_b = len(path) - at_a
    if (
        state.load[a] - at_a + at_b + 1 > pb.table_cap[a]
        or state.load[b] - at_b + at_a > pb.table_cap[b]
    ):
        return False
    targets = [b if state.slot_of[f] == a else a for f in path]
    for f in path:
        state.lift(f)
    for f, target in zip(path, targets, strict=True):
        state.place(f, target)
    state.place(e, a)
    return True


def top_up(state: State) -> None:
    """Fill leftover tables slot by slot with a max-weight matching of unplaced candidates."""
    pb = state.pb
    one_each = np.ones(pb.n_nodes, dtype=np.int64)
    no_bonus = np.zeros(pb.n_nodes)
    bonus = coverage_bonus(state)
    for slot in range(pb.n_slots):
        room = int(pb.table_cap[slot] - state.load[slot])
        if room <= 0:
            continue
        open_ = np.flatnonzero(
            (state.slot_of < 0)
            & pb.allowed[:, slot]
            & (state.occ[pb.eu, slot] < 0)
            & (state.occ[pb.ev, slot] < 0)
            & (state.count[pb.eu] < pb.cap[pb.eu])
            & (state.count[pb.ev] < pb.cap[pb.ev])
        )
        if len(open_) == 0:
            continue
        u, v = pb.eu[open_], pb.ev[open_]
        weight = pb.score[open_] + bonus * ((state.count[u] == 0) + (state.count[v] == 0))
        chosen, _ = solve_b_matching(u, v, weight, one_each, no_bonus, room)
        for e in open_[chosen]:
            state.place(int(e), slot)
