"""Validated, array-indexed form of a FairInput, and the mutable placement state.

Nodes are suppliers (sorted by id) then buyers (sorted by id); edges are candidates sorted by
(supplier_id, buyer_id). Sorting here is what makes every later step deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.fairs.scheduling.lp import BoolArray, Float64Array, IntArray
from service.fairs.scheduling.types import FairInput


@dataclass(frozen=True)
class Indexed:
    ids: IntArray  # node -> participant id
    node_of: dict[int, int]
    edge_of: dict[tuple[int, int], int]
    cap: IntArray  # (nodes,)
    avail: BoolArray  # (nodes, slots), breaks removed
    eu: IntArray  # (edges,) supplier node
    ev: IntArray  # (edges,) buyer node
    score: Float64Array
    required: BoolArray
    allowed: BoolArray  # (edges, slots): both available
    table_cap: IntArray  # (slots,) tables per slot, 0 in breaks

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_slots(self) -> int:
        return len(self.table_cap)


def index_input(fair: FairInput) -> Indexed:
    """Check the input and build arrays; raises ValueError naming the first problem found."""
    if fair.n_slots < 0 or fair.n_tables < 0:
        raise ValueError("n_slots and n_tables must be non-negative")
    if any(not 0 <= s < fair.n_slots for s in fair.breaks):
        raise ValueError("breaks must be slots in 0..n_slots-1")
    people = sorted(fair.participants, key=lambda p: (p.role != "supplier", p.id))
    node_of: dict[int, int] = {}
    for node, person in enumerate(people):
        if person.id in node_of:
            raise ValueError(f"participant {person.id} is given twice")
        if person.role not in ("supplier", "buyer"):
            raise ValueError(f"participant {person.id} has unknown role {person.role!r}")
        if person.max_meetings < 0:
            raise ValueError(f"participant {person.id} has a negative max_meetings")
        node_of[person.id] = node
    avail = np.zeros((len(people), fair.n_slots), dtype=np.bool_)
    for node, person in enumerate(people):
        slots = range(fair.n_slots) if person.available is None else person.available
        for slot in slots:
            if not 0 <= slot < fair.n_slots:
                raise ValueError(f"participant {person.id} is available in unknown slot {slot}")
            avail[node, slot] = True
    avail[:, sorted(fair.breaks)] = False
    role = {p.id: p.role for p in people}
    edges = sorted(fair.candidates, key=lambda c: (c.supplier_id, c.buyer_id))
    edge_of: dict[tuple[int, int], int] = {}
    for e, cand in enumerate(edges):
        pair = (cand.supplier_id, cand.buyer_id)
        if role.get(cand.supplier_id) != "supplier" or role.get(cand.buyer_id) != "buyer":
            raise ValueError(f"candidate {pair} must name a known supplier and a known buyer")
        if pair in edge_of:
            raise ValueError(f"candidate {pair} is given twice")
        if not 0.0 <= cand.score <= 1.0:
            raise ValueError(f"candidate {pair} has score {cand.score} outside [0, 1]")
        edge_of[pair] = e
    eu = np.array([node_of[c.supplier_id] for c in edges], dtype=np.int64)
    ev = np.array([node_of[c.buyer_id] for c in edges], dtype=np.int64)
    table_cap = np.full(fair.n_slots, fair.n_tables, dtype=np.int64)
    table_cap[sorted(fair.breaks)] = 0
    return Indexed(
        ids=np.array([p.id for p in people], dtype=np.int64),
        node_of=node_of,
        edge_of=edge_of,
        cap=np.array([p.max_meetings for p in people], dtype=np.int64),
        avail=avail,
        eu=eu,
        ev=ev,
        score=np.array([c.score for c in edges], dtype=np.float64),
        required=np.array([c.required for c in edges], dtype=np.bool_),
        allowed=avail[eu] & avail[ev],
        table_cap=table_cap,
    )


class State:
    """Where each edge sits: occ[node, slot] is the edge held there or -1."""

    def __init__(self, pb: Indexed) -> None:
        self.pb = pb
        self.occ = np.full((pb.n_nodes, pb.n_slots), -1, dtype=np.int64)
        self.slot_of = np.full(len(pb.eu), -1, dtype=np.int64)
        self.table_of = np.full(len(pb.eu), -1, dtype=np.int64)
        self.movable = np.ones(len(pb.eu), dtype=np.bool_)
        self.load = np.zeros(pb.n_slots, dtype=np.int64)
        self.count = np.zeros(pb.n_nodes, dtype=np.int64)

    def place(self, e: int, slot: int, table: int = -1, movable: bool = True) -> None:
        u, v = int(self.pb.eu[e]), int(self.pb.ev[e])
        self.occ[u, slot] = self.occ[v, slot] = e
        self.slot_of[e], self.table_of[e], self.movable[e] = slot, table, movable
        self.load[slot] += 1
        self.count[u] += 1
        self.count[v] += 1

    def lift(self, e: int) -> None:
        """Take a placed edge off the grid (Kempe swaps lift a whole path, then re-place it)."""
        u, v, slot = int(self.pb.eu[e]), int(self.pb.ev[e]), int(self.slot_of[e])
        self.occ[u, slot] = self.occ[v, slot] = -1
        self.slot_of[e] = -1
        self.load[slot] -= 1
        self.count[u] -= 1
        self.count[v] -= 1

    def free_slots(self, e: int) -> BoolArray:
        """Slots where the pair could meet right now (both free, a table left)."""
        u, v = int(self.pb.eu[e]), int(self.pb.ev[e])
        return np.asarray(
            self.pb.allowed[e]
            & (self.occ[u] < 0)
            & (self.occ[v] < 0)
            & (self.load < self.pb.table_cap),
            dtype=np.bool_,
        )

    def room(self) -> IntArray:
        """Per node, how many more meetings fit: cap left and free available slots."""
        free = (self.pb.avail & (self.occ < 0)).sum(axis=1)
        return np.asarray(np.minimum(self.pb.cap - self.count, free), dtype=np.int64)
