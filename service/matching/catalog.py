"""The in-memory catalog: items, their vectors per side, TF-IDF per side, heading postings and
owner facts.

Built at start-up from stored vectors and kept current on every write, so a new profile is
searchable as soon as its write returns. One lock guards it: writes are rare, searches short.

Each item may carry two vectors: the primary model's (`dense`) and the multilingual model's
(`multilingual`, when the deployment has one). Items of goods (products, offers, needs,
wants) are posted under the HS headings of their estimate: a declared code is a near-certain
estimate, an item without one carries the suggester's.
"""

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from service.matching.ann import HnswIndex
from service.matching.embedder import FloatArray
from service.matching.headings import Estimate, declared
from service.matching.index import Admit, KeyArray, take_or
from service.matching.items import GOODS, Facts, Item, Kind, Side
from service.matching.language import detect
from service.matching.lexical import LexicalIndex
from service.matching.multilingual import MultilingualIndex
from service.matching.weights import Weights

BoolArray = npt.NDArray[np.bool_]
PROFILE_KINDS = frozenset({Kind.product, Kind.profile, Kind.wants, Kind.seeks})
# TF-IDF refits of a side this large run in the background (LexicalIndex); below, one takes
# under ~0.5 s and runs in the write that calls for it
BACKGROUND_REFIT = 10_000


class DenseIndex(Protocol):
    """The dense candidates of one side: in memory (ExactIndex) or in the database (pgvector)."""

    def fit(self, keys: Sequence[int], vectors: FloatArray) -> object: ...
    def add(self, keys: Sequence[int], vectors: FloatArray) -> None: ...
    def remove(self, keys: Sequence[int]) -> None: ...
    def vector(self, key: int) -> FloatArray: ...

    def top(
        self, query: FloatArray, k: int, admit: Admit | None = None
    ) -> tuple[KeyArray, FloatArray]:
        """The k best rows by cosine among those `admit` lets through, best first."""
        ...

    def cosines(self, query: FloatArray, keys: KeyArray) -> FloatArray:
        """The cosine of `query` with each of `keys`; 0 for a key not held."""
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
    # the multilingual model's rows of `items` and `revectored` (None: the deployment has none)
    multilingual: FloatArray | None = None
    remultilingual: FloatArray | None = None

    def add_items(
        self, items: list[Item], vectors: FloatArray, multilingual: FloatArray | None = None
    ) -> None:
        if items:
            stacked = [self.vectors, vectors] if self.items else [vectors]
            if multilingual is not None:
                kept = [self.multilingual] if self.items and self.multilingual is not None else []
                self.multilingual = np.concatenate([*kept, multilingual])
            self.items += items
            self.vectors = np.concatenate(stacked)


class Catalog:
    def __init__(
        self,
        dimension: int,
        dense: Callable[[Side], DenseIndex] | None = None,
        *,
        multilingual: int | None = None,
        weights: Weights | None = None,
    ) -> None:
        """`dense` makes each side's dense index (default: exact, in memory); `multilingual` is
        the dimension of the multilingual vectors (None: the deployment has none)."""
        self.dimension = dimension
        self.weights = weights or Weights()
        self.items: dict[int, Item] = {}
        self.facts: dict[int, Facts] = {}
        make_dense = dense or (lambda _side: HnswIndex(dimension))
        self.dense = {side: make_dense(side) for side in Side}
        self.multilingual: dict[Side, MultilingualIndex] | None = None
        if multilingual is not None:
            self.multilingual = {side: MultilingualIndex(multilingual) for side in Side}
        self.lexical = {side: LexicalIndex(background_from=BACKGROUND_REFIT) for side in Side}
        self._by_owner: dict[int, set[int]] = defaultdict(set)
        self._owner_of = np.full(1024, -1, np.int64)  # item key -> enterprise id, vectorised
        self.version = 0  # counts changes: what was derived from items and facts is stale
        self._reloaded = 0  # the version that replaced everything (`load`)
        self._touched: dict[int, int] = {}  # enterprise id -> version that last changed it
        self.owner_bound = 0  # above every enterprise id held
        self._by_trade: dict[tuple[Kind, int], int] = {}  # (need|offer, id) -> item key
        # (side, 4-digit heading) -> {item key: probability of that heading}
        self._postings: dict[tuple[Side, str], dict[int, float]] = defaultdict(dict)
        self._posting_arrays: dict[tuple[Side, str], tuple[KeyArray, FloatArray]] = {}
        self._estimates: dict[int, Estimate] = {}
        self._chinese: dict[Side, set[int]] = defaultdict(set)  # keys of Chinese items
        self._chinese_sorted: dict[Side, KeyArray] = {}
        self._lock = threading.RLock()

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._lock:
            yield

    def load(
        self,
        facts: Iterable[Facts],
        items: list[Item],
        vectors: FloatArray,
        multilingual: FloatArray | None = None,
    ) -> None:
        """Replace everything: used at start-up with what the store holds."""
        with self._lock:
            self.facts = {f.enterprise_id: f for f in facts}
            self.owner_bound = max(self.facts, default=-1) + 1
            self.items = {item.key: item for item in items}
            self._by_owner = defaultdict(set)
            self._by_trade = {}
            self._postings = defaultdict(dict)
            self._posting_arrays = {}
            self._estimates = {}
            self._chinese = defaultdict(set)
            self._chinese_sorted = {}
            self._owner_of = np.full(1024, -1, np.int64)
            self._register(items)
            self._reloaded, self._touched = self.version, {}
            for side, heading in list(self._postings):  # here, not in the first requests
                self._posted(side, heading)
            for side in Side:
                rows = [i for i, item in enumerate(items) if item.side is side]
                keys = [items[i].key for i in rows]
                self.dense[side].fit(keys, vectors[rows])  # (0, d) when rows is empty
                if self.multilingual is not None:
                    second = self._second(multilingual, items)[rows]
                    self.multilingual[side].fit(keys, second, self._in_chinese(items, rows))
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
                self.put_items(change.items, change.vectors, change.multilingual)
            if change.revectored:
                self.replace_vectors(change.revectored, change.revectors, change.remultilingual)

    def _second(self, vectors: FloatArray | None, items: list[Item]) -> FloatArray:
        """The items' multilingual vectors, checked: one row each."""
        if self.multilingual is None:
            raise ValueError("this catalog has no multilingual index")
        dimension = self.multilingual[Side.supply].dimension
        if vectors is None and not items:
            return np.zeros((0, dimension), np.float32)
        if vectors is None or vectors.shape != (len(items), dimension):
            raise ValueError("the items need their multilingual vectors, one row each")
        return vectors

    def put_facts(self, facts: Facts) -> None:
        with self._lock:
            self.facts[facts.enterprise_id] = facts
            self._touch([facts.enterprise_id])
            self.owner_bound = max(self.owner_bound, facts.enterprise_id + 1)

    def put_items(
        self, items: list[Item], vectors: FloatArray, multilingual: FloatArray | None = None
    ) -> None:
        with self._lock:
            for item in items:
                self.items[item.key] = item
            self._register(items)  # first: it tells which items are Chinese
            for side in Side:
                rows = [i for i, item in enumerate(items) if item.side is side]
                if rows:
                    keys = [items[i].key for i in rows]
                    self.dense[side].add(keys, vectors[rows])
                    if self.multilingual is not None:
                        second = self._second(multilingual, items)[rows]
                        self.multilingual[side].add(keys, second, self._in_chinese(items, rows))
                    self.lexical[side].add(keys, [items[i].text for i in rows])

    def replace_vectors(
        self, items: list[Item], vectors: FloatArray, multilingual: FloatArray | None = None
    ) -> None:
        """New vectors (and heading estimates, carried by `items`) for items kept under the
        same keys (a re-embed); unknown keys are skipped, since a write may have replaced or
        removed them while the vectors were computed."""
        with self._lock:
            for side in Side:
                rows = [i for i, it in enumerate(items) if it.side is side and it.key in self.items]
                if rows:
                    keys = [items[i].key for i in rows]
                    self.dense[side].add(keys, vectors[rows])
                    if self.multilingual is not None and multilingual is not None:
                        self.multilingual[side].add(
                            keys, multilingual[rows], self._in_chinese(items, rows)
                        )
            known = [item for item in items if item.key in self.items]
            for item in known:
                self._unpost(item)
                self.items[item.key] = item
            self._register(known)

    def estimate(self, item: Item) -> Estimate:
        """The item's heading estimate: its declared code's, else the stored one."""
        if item.kind not in GOODS:
            return ()
        return declared(item.hs_code, self.weights.hs_declared) or item.headings

    def _register(self, items: Iterable[Item]) -> None:
        items = list(items)
        self._touch(i.enterprise_id for i in items)
        if items and (top := max(i.key for i in items)) >= len(self._owner_of):
            grown = np.full(max(2 * len(self._owner_of), top + 1), -1, np.int64)
            grown[: len(self._owner_of)] = self._owner_of
            self._owner_of = grown
        for item in items:
            self._owner_of[item.key] = item.enterprise_id
            self.owner_bound = max(self.owner_bound, item.enterprise_id + 1)
            self._by_owner[item.enterprise_id].add(item.key)
            if item.kind in (Kind.need, Kind.offer):
                self._by_trade[(item.kind, item.ref_id)] = item.key
            if estimate := self.estimate(item):
                self._estimates[item.key] = estimate
                for heading, probability in estimate:
                    self._postings[(item.side, heading)][item.key] = probability
                    self._posting_arrays.pop((item.side, heading), None)
            if detect(item.text) == "zh":
                self._chinese[item.side].add(item.key)
                self._chinese_sorted.pop(item.side, None)

    def remove_items(self, keys: Iterable[int]) -> None:
        with self._lock:
            keys = list(keys)
            self._touch(self.items[k].enterprise_id for k in keys if k in self.items)
            for key in keys:
                if (item := self.items.pop(key, None)) is None:
                    continue
                self._owner_of[key] = -1
                self.dense[item.side].remove([key])
                if self.multilingual is not None:
                    self.multilingual[item.side].remove([key])
                self.lexical[item.side].remove([key])
                self._by_owner[item.enterprise_id].discard(key)
                self._by_trade.pop((item.kind, item.ref_id), None)
                self._unpost(item)
                if key in self._chinese[item.side]:
                    self._chinese[item.side].discard(key)
                    self._chinese_sorted.pop(item.side, None)

    def _unpost(self, item: Item) -> None:
        for heading, _ in self._estimates.pop(item.key, ()):
            self._postings[(item.side, heading)].pop(item.key, None)
            self._posting_arrays.pop((item.side, heading), None)

    def remove_enterprise(self, enterprise_id: int) -> None:
        with self._lock:
            self.remove_items(self._by_owner.pop(enterprise_id, set()))
            self.facts.pop(enterprise_id, None)
            self._touch([enterprise_id])

    def _touch(self, owners: Iterable[int]) -> None:
        self.version += 1
        for owner in owners:
            self._touched[owner] = self.version

    def touched_since(self, version: int) -> tuple[int, list[int] | None]:
        """(the version now, the enterprises whose facts or items changed after `version`;
        None when everything was replaced since)."""
        with self._lock:
            if version < self._reloaded:
                return self.version, None
            return self.version, [o for o, v in self._touched.items() if v > version]

    def owners(self, keys: KeyArray) -> KeyArray:
        """The enterprise owning each of `keys` (-1 for a key the catalog does not hold)."""
        return take_or(self._owner_of, keys, -1)

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

    def agreement(self, side: Side, estimate: Estimate) -> tuple[KeyArray, FloatArray]:
        """(keys, probability that each shares a heading with `estimate`) for every item on
        `side` posted under one of its headings: sum over h of p(h) x the item's p(h)."""
        with self._lock:
            posted = [(p, *self._posted(side, heading)) for heading, p in estimate]
        if not posted:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        keys = np.concatenate([k for _, k, _ in posted])
        shares = np.concatenate([p * q for p, _, q in posted])
        total = np.bincount(keys, weights=shares)  # keys are row ids: a dense sum is cheap
        found = np.flatnonzero(total != 0)  # on a mask: 20 us for 110k keys, 300 on the floats
        return found, total[found].astype(np.float32)

    def _posted(self, side: Side, heading: str) -> tuple[KeyArray, FloatArray]:
        """The items posted under a heading and their probabilities of it, as arrays (kept
        until the heading's postings change)."""
        if (arrays := self._posting_arrays.get((side, heading))) is None:
            posted = self._postings.get((side, heading), {})
            keys = np.fromiter(posted.keys(), np.int64, len(posted))
            arrays = keys, np.fromiter(posted.values(), np.float64, len(posted))
            self._posting_arrays[(side, heading)] = arrays
        return arrays

    def chinese_keys(self, side: Side) -> KeyArray:
        """The keys of the Chinese items on `side`, sorted."""
        with self._lock:
            known = self._chinese_sorted.get(side)
            if known is None:
                known = np.sort(np.fromiter(self._chinese[side], np.int64))
                self._chinese_sorted[side] = known
            return known

    def chinese(self, side: Side, keys: KeyArray) -> BoolArray:
        """Which of `keys` are Chinese items (a mask aligned with `keys`)."""
        known = self.chinese_keys(side)
        if len(known) == 0:
            return np.zeros(len(keys), np.bool_)
        pos = np.minimum(np.searchsorted(known, keys), len(known) - 1)
        mask: BoolArray = known[pos] == keys
        return mask

    def _in_chinese(self, items: list[Item], rows: list[int]) -> BoolArray:
        """Which of these rows' items are Chinese (registered ones: `_register` detected it)."""
        zh = self._chinese
        return np.fromiter((items[i].key in zh[items[i].side] for i in rows), np.bool_, len(rows))

    def is_chinese(self, item: Item) -> bool:
        """Whether the item's text is Chinese (as `language.detect` found when it was added)."""
        return item.key in self._chinese[item.side]

    def has_chinese(self, side: Side) -> bool:
        with self._lock:
            return bool(self._chinese[side])

    def vector(self, item: Item) -> FloatArray:
        with self._lock:
            return self.dense[item.side].vector(item.key)

    def multilingual_vector(self, item: Item) -> FloatArray | None:
        with self._lock:
            if self.multilingual is None:
                return None
            return self.multilingual[item.side].vector(item.key)

    def hs_codes(self, enterprise_id: int) -> frozenset[str]:
        """Declared HS codes of what an enterprise sells (product lines and offers)."""
        return frozenset(
            i.hs_code for i in self.owned(enterprise_id, (Kind.product, Kind.offer)) if i.hs_code
        )
