"""One candidate contract for every signal and both storage backends.

Each source answers the filtered top-k of its own signal (`top(query, k, admit)`): the dense
index (in memory, or pgvector with the filters in SQL), the multilingual index, the TF-IDF
postings and the HS-heading postings. Their union is then scored on every signal exactly, so an
item found by one signal is judged by all of them, and a selective filter never leaves a source
short while admissible items remain.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.matching.catalog import Catalog
from service.matching.embedder import FloatArray
from service.matching.headings import Estimate
from service.matching.index import BoolArray, KeyArray, align, take_or, top_admitted
from service.matching.items import Side
from service.matching.language import Language, detect
from service.matching.requirements import Requirements, admits

IntArray = npt.NDArray[np.int8]


class Admission:
    """The items whose owners pass a search's hard requirements, as a mask over item keys:
    one table lookup per key, each owner checked once (`Admissions` keeps the answers)."""

    def __init__(self, catalog: Catalog, requirements: Requirements, table: IntArray) -> None:
        self.requirements = requirements
        self._catalog = catalog
        self._table = table  # by enterprise id: 1 passes, 0 fails, -1 not yet checked

    def __call__(self, keys: KeyArray) -> BoolArray:
        owners, table = self._catalog.owners(keys), self._table
        answers = take_or(table, owners, 0)  # a key not held, an owner not in the table: fails
        fresh = np.flatnonzero(answers < 0)
        if len(fresh):
            for owner in np.unique(owners[fresh]).tolist():
                table[owner] = self._passes(owner)
            answers[fresh] = table[owners[fresh]]
        out: BoolArray = answers == 1
        return out

    def _passes(self, owner: int) -> bool:
        facts = self._catalog.facts.get(owner)
        codes = self._catalog.hs_codes(owner) if self.requirements.hs_prefix else frozenset()
        return facts is not None and admits(self.requirements, facts, codes)


class Admissions:
    """Admissions by requirements, their per-owner answers kept until that owner changes (a
    need asked again, or many searches with one filter, check each owner once)."""

    def __init__(self, catalog: Catalog, size: int = 256) -> None:
        self._catalog = catalog
        self._size = size
        self._tables: OrderedDict[Requirements, IntArray] = OrderedDict()
        self._version = -1
        self._lock = threading.Lock()

    def of(self, requirements: Requirements) -> Admission | None:
        """None when nothing is filtered."""
        if not requirements.filters:
            return None
        requirements = requirements.hard  # one table for needs differing only in size
        with self._lock:
            if self._version != self._catalog.version:
                self._forget_changed()
            table = self._tables.pop(requirements, None)
            bound = self._catalog.owner_bound
            if table is None or len(table) < bound:  # filled as owners are met
                grown = np.full(bound, -1, np.int8)
                if table is not None:
                    grown[: len(table)] = table
                table = grown
            self._tables[requirements] = table
            while len(self._tables) > self._size:
                self._tables.popitem(last=False)
        return Admission(self._catalog, requirements, table)

    def _forget_changed(self) -> None:
        """Owners changed since the tables were filled are checked again when next met."""
        self._version, changed = self._catalog.touched_since(self._version)
        if changed is None:
            self._tables.clear()
            return
        stale = np.array(changed, np.int64)
        for table in self._tables.values():
            table[stale[stale < len(table)]] = -1


@dataclass(frozen=True, slots=True)
class Query:
    """A text that looks for partners: its vectors, words, label and HS heading estimate.

    `hs_code` is a declared code (a near-certain estimate); `headings` the HS suggester's
    estimate for a text without one (`hs_suggested` then says so in the explanation), or a
    free text's estimate still being computed (read it through `estimate`).
    `multilingual` is its multilingual vector: needed for a Chinese query, or to read items
    written in the other language.
    """

    vector: FloatArray
    text: str
    label: str
    hs_code: str | None = None
    hs_suggested: bool = False
    headings: Estimate | Future[Estimate] = ()
    multilingual: FloatArray | None = None

    @property
    def language(self) -> Language:
        return detect(self.text)

    def estimate(self) -> Estimate:
        """The heading estimate, once computed."""
        headings = self.headings
        return headings.result() if isinstance(headings, Future) else headings


@dataclass(frozen=True, slots=True)
class Candidates:
    """The union of every source's top-k, each signal scored exactly, aligned with `keys`.

    `primary` is 0 where it is not read (a Chinese query), `multilingual` too (an English
    query's English items), and None where the deployment has no multilingual model."""

    keys: KeyArray
    primary: FloatArray
    multilingual: FloatArray | None
    lexical: FloatArray
    agreement: FloatArray
    chinese: BoolArray  # which items are Chinese
    estimate: Estimate  # the query's heading estimate the agreement is of


def gather(
    catalog: Catalog,
    side: Side,
    query: Query,
    chinese_query: bool,
    estimate_of: Callable[[Query], Estimate],
    admit: Admission | None,
    k: int,
) -> Candidates:
    """Call with the catalog held (`catalog.reading()`): one state for every source. The
    query's heading estimate is asked for last: a free text's may still be computing."""
    vector, multilingual, text = query.vector, query.multilingual, query.text
    index = None if catalog.multilingual is None else catalog.multilingual[side]
    found: list[KeyArray] = []
    primary_top = None
    if not chinese_query:  # the primary model reads only English pairs
        primary_top = catalog.dense[side].top(vector, k, admit)
        found.append(primary_top[0])
    if index is not None and multilingual is not None:
        if chinese_query:
            found.append(index.top(multilingual, k, admit)[0])
        elif catalog.has_chinese(side):  # English query: its pairs with Chinese items
            found.append(index.top(multilingual, k, admit, chinese_only=True)[0])
    lexical = catalog.lexical[side]
    lexical_top = lexical.top(text, k, admit)
    found.append(lexical_top[0])
    estimate = estimate_of(query)
    posted, shares = catalog.agreement(side, estimate)
    positive = shares > 0
    found.append(top_admitted(posted[positive], shares[positive], k, admit)[0])
    keys = np.unique(np.concatenate(found))
    primary = np.zeros(len(keys), np.float32)
    if primary_top is not None:
        dense = catalog.dense[side]
        primary = _completed(keys, primary_top, lambda rest: dense.cosines(vector, rest))
    second = None
    if index is not None and multilingual is not None:  # English pairs read the primary model
        second = index.cosines(multilingual, keys, chinese_only=not chinese_query)
    return Candidates(
        keys,
        primary,
        second,
        _completed(keys, lexical_top, lambda rest: lexical.cosines(text, rest)),
        align(posted, shares, keys),
        catalog.chinese(side, keys),
        estimate,
    )


def _completed(
    keys: KeyArray, top: tuple[KeyArray, FloatArray], score: Callable[[KeyArray], FloatArray]
) -> FloatArray:
    """Each key's score: from a source's own top-k where it returned the key, asked of the
    source (`score`) for the rest (on PostgreSQL, one query for them all)."""
    out = align(*top, keys)
    missing = ~np.isin(keys, top[0])
    if missing.any():
        out[missing] = score(keys[missing])
    return out
