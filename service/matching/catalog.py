"""The in-memory catalog: items, their vectors per side, TF-IDF per side and owner facts.

Built at start-up from stored vectors and kept current on every write, so a new profile is
searchable as soon as its write returns. One lock guards it: writes are rare, searches short.
"""

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from service.matching.embedder import FloatArray
from service.matching.index import ExactIndex, KeyArray
from service.matching.items import Facts, Item, Kind, Side
from service.matching.lexical import LexicalIndex
from service.matching.requirements import Requirements

PROFILE_KINDS = frozenset({Kind.product, Kind.profile, Kind.wants, Kind.seeks})


class DenseIndex(Protocol):
    """The dense candidates of one side: in memory (ExactIndex) or in the database (pgvector)."""

    def fit(self, keys: Sequence[int], vectors: FloatArray) -> object: ...
    def add(self, keys: Sequence[int], vectors: FloatArray) -> None: ...
    def remove(self, keys: Sequence[int]) -> None: ...
    def vector(self, key: int) -> FloatArray: ...

    def scores(
        self, query: FloatArray, where: Requirements | None = None
    ) -> tuple[KeyArray, FloatArray]:
        """(keys, cosine) of candidate rows: all of them, or the best ones passing `where`."""
        ...


@dataclass
class CatalogChange:
    """What one committed write does to the catalog: applied whole, after the commit."""

    removed: list[int] = field(default_factory=list)  # item keys
    forgotten: list[int] = field(default_factory=list)  # enterprise ids, with all their items
    facts: list[Facts] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    vectors: FloatArray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    revectored: list[Item] = field(default_factory=list)  # same keys, new vectors (a re-embed)
    revectors: FloatArray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    def add_items(self, items: list[Item], vectors: FloatArray) -> None:
        if items:
            stacked = [self.vectors, vectors] if self.items else [vectors]
            self.items += items
            self.vectors = np.concatenate(stacked)


class Catalog:
    def __init__(self, dimension: int, dense: Callable[[Side], DenseIndex] | None = None) -> None:
        """`dense` makes each side's dense index; by default an exact one in memory."""
        self.dimension = dimension
        self.items: dict[int, Item] = {}
        self.facts: dict[int, Facts] = {}
        make_dense = dense or (lambda _side: ExactIndex(dimension))
        self.dense = {side: make_dense(side) for side in Side}
        self.lexical = {side: LexicalIndex() for side in Side}
        self._by_owner: dict[int, set[int]] = defaultdict(set)
        self._by_trade: dict[tuple[Kind, int], int] = {}  # (need|offer, id) -> item key
        self._by_heading: dict[tuple[Side, str], set[int]] = defaultdict(set)  # 4-digit HS
        self._lock = threading.RLock()

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._lock:
            yield

    def load(self, facts: Iterable[Facts], items: list[Item], vectors: FloatArray) -> None:
        """Replace everything: used at start-up with what the store holds."""
        with self._lock:
            self.facts = {f.enterprise_id: f for f in facts}
            self.items = {item.key: item for item in items}
            self._by_owner = defaultdict(set)
            self._by_trade = {}
            self._by_heading = defaultdict(set)
            self._register(items)
            for side in Side:
                rows = [i for i, item in enumerate(items) if item.side is side]
                keys = [items[i].key for i in rows]
                self.dense[side].fit(keys, vectors[rows])  # (0, d) when rows is empty
                self.lexical[side].fit(keys, [items[i].text for i in rows])

    def apply(self, change: CatalogChange) -> None:
        """Take a committed write in one step, so a search sees all of it or none."""
        with self._lock:
            self.remove_items(change.removed)
            for enterprise_id in change.forgotten:
                self.remove_enterprise(enterprise_id)
            for facts in change.facts:
                self.put_facts(facts)
            if change.items:
                self.put_items(change.items, change.vectors)
            if change.revectored:
                self.replace_vectors(change.revectored, change.revectors)

    def put_facts(self, facts: Facts) -> None:
        with self._lock:
            self.facts[facts.enterprise_id] = facts

    def put_items(self, items: list[Item], vectors: FloatArray) -> None:
        with self._lock:
            for side in Side:
                rows = [i for i, item in enumerate(items) if item.side is side]
                if rows:
                    keys = [items[i].key for i in rows]
                    self.dense[side].add(keys, vectors[rows])
                    self.lexical[side].add(keys, [items[i].text for i in rows])
            for item in items:
                self.items[item.key] = item
            self._register(items)

    def replace_vectors(self, items: list[Item], vectors: FloatArray) -> None:
        """New vectors for items kept under the same keys (a re-embed); unknown keys are skipped,
        since a write may have replaced or removed them while the vectors were computed."""
        with self._lock:
            for side in Side:
                rows = [i for i, it in enumerate(items) if it.side is side and it.key in self.items]
                if rows:
                    self.dense[side].add([items[i].key for i in rows], vectors[rows])

    def _register(self, items: Iterable[Item]) -> None:
        for item in items:
            self._by_owner[item.enterprise_id].add(item.key)
            if item.kind in (Kind.need, Kind.offer):
                self._by_trade[(item.kind, item.ref_id)] = item.key
            if item.hs_code and len(item.hs_code) >= 4:
                self._by_heading[(item.side, item.hs_code[:4])].add(item.key)

    def remove_items(self, keys: Iterable[int]) -> None:
        with self._lock:
            for key in list(keys):
                if (item := self.items.pop(key, None)) is None:
                    continue
                self.dense[item.side].remove([key])
                self.lexical[item.side].remove([key])
                self._by_owner[item.enterprise_id].discard(key)
                self._by_trade.pop((item.kind, item.ref_id), None)
                if item.hs_code:
                    self._by_heading[(item.side, item.hs_code[:4])].discard(key)

    def remove_enterprise(self, enterprise_id: int) -> None:
        with self._lock:
            self.remove_items(self._by_owner.pop(enterprise_id, set()))
            self.facts.pop(enterprise_id, None)

    def owned(self, enterprise_id: int, kinds: Iterable[Kind] | None = None) -> list[Item]:
        """An enterprise's items, optionally of some kinds, in key order."""
        wanted = set(kinds) if kinds is not None else None
        with self._lock:
            keys = sorted(self._by_owner.get(enterprise_id, ()))
            return [self.items[k] for k in keys if wanted is None or self.items[k].kind in wanted]

    def find(self, kind: Kind, ref_id: int) -> Item | None:
        with self._lock:
            key = self._by_trade.get((kind, ref_id))
            return None if key is None else self.items[key]

    def under_heading(self, side: Side, heading: str) -> set[int]:
        """Keys of the items on `side` whose HS code falls under a 4-digit heading."""
        with self._lock:
            return set(self._by_heading.get((side, heading), ()))

    def vector(self, item: Item) -> FloatArray:
        with self._lock:
            return self.dense[item.side].vector(item.key)

    def hs_codes(self, enterprise_id: int) -> frozenset[str]:
        """HS codes of what an enterprise sells (product lines and offers)."""
        return frozenset(
            i.hs_code for i in self.owned(enterprise_id, (Kind.product, Kind.offer)) if i.hs_code
        )
