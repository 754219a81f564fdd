"""Exact cosine top-k over L2-normalised rows, growable in place; the filtered top-k that every
candidate source (dense, lexical, headings) answers."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Self

import numpy as np
import numpy.typing as npt

from service.matching.embedder import FloatArray
from service.matching.requirements import Requirements

KeyArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Admit(Protocol):
    """Which items may be candidates: the hard requirements of a search, as SQL reads them
    (`requirements`) and as a mask over item keys for sources in memory."""

    requirements: Requirements

    def __call__(self, keys: KeyArray) -> BoolArray: ...


@dataclass(frozen=True, slots=True)
class Hit:
    key: int
    score: float


# Gathering one column of the column-major matrix reads about as much memory as streaming
# this many whole columns (one cache line per dimension against a contiguous run).
GATHER_COST = 16


class Positions:
    """Key -> row, one at a time like a dict and many at once (`of`) by an array indexed by
    key: candidate keys are scored hundreds per request. Keys are small non-negative ints
    (item keys), as the catalog's owner table assumes too."""

    def __init__(self) -> None:
        self._rows: dict[int, int] = {}
        self._table = np.full(0, -1, np.int64)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: int) -> bool:
        return key in self._rows

    def __getitem__(self, key: int) -> int:
        return self._rows[key]

    def get(self, key: int) -> int | None:
        return self._rows.get(key)

    def put(self, keys: Sequence[int] | KeyArray, start: int) -> None:
        """`keys` at rows start, start + 1, ..."""
        held = np.asarray(keys, np.int64)
        if len(held) and (top := int(held.max())) >= len(self._table):
            grown = np.full(max(2 * len(self._table), top + 1), -1, np.int64)
            grown[: len(self._table)] = self._table
            self._table = grown
        rows = np.arange(start, start + len(held))
        self._table[held] = rows
        self._rows.update(zip(held.tolist(), rows.tolist(), strict=True))

    def pop(self, key: int) -> int | None:
        row = self._rows.pop(key, None)
        if row is not None:
            self._table[key] = -1
        return row

    def of(self, keys: KeyArray) -> KeyArray:
        """Each key's row, -1 for a key not held."""
        inside = (keys >= 0) & (keys < len(self._table))
        out = np.full(len(keys), -1, np.int64)
        out[inside] = self._table[keys[inside]]
        return out


class ExactIndex:
    """Brute-force inner product (= cosine on normalised rows), one matvec per query.

    Exact search is fast enough to a few hundred thousand rows and has perfect recall, so the
    embedded backend needs no ANN structure. The rows are stored transposed, as the columns of
    one C-contiguous float32 matrix (dimension x capacity), so a query is a single BLAS sgemv
    (`query @ matrix`) bound by memory bandwidth like faiss's flat index; OpenBLAS's kernel for
    the row-major `matrix @ query` runs at half that speed here (bench/scale.py). Keys are
    caller ids; removal leaves a tombstone that the next growth compacts away.
    """

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._columns = np.zeros((dimension, 0), dtype=np.float32)
        self._keys = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=np.bool_)
        self._size = 0
        self._position = Positions()
        # the last query's score per row: a search asks `top`, then `cosines` of other
        # sources' candidates with the same query (any change of the rows forgets it)
        self._last: tuple[FloatArray, FloatArray] | None = None

    def __len__(self) -> int:
        return len(self._position)

    def fit(self, keys: Sequence[int], vectors: FloatArray) -> Self:
        self._last = None
        self._columns = np.zeros((self.dimension, 0), dtype=np.float32)
        self._keys = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=np.bool_)
        self._size = 0
        self._position = Positions()
        self.add(keys, vectors)
        return self

    def add(self, keys: Sequence[int], vectors: FloatArray) -> None:
        """Insert rows by key; a key already present has its row overwritten in place."""
        if vectors.shape != (len(keys), self.dimension):
            raise ValueError(f"expected {len(keys)}x{self.dimension} vectors, got {vectors.shape}")
        self._last = None
        present = [i for i, key in enumerate(keys) if key in self._position]
        if present:  # e.g. a re-embed: no tombstones, no growth
            rows = [self._position[int(keys[i])] for i in present]
            self._columns[:, rows] = vectors[present].T
            if len(present) == len(keys):
                return
            fresh = np.setdiff1d(np.arange(len(keys)), present)
            keys, vectors = [keys[i] for i in fresh], vectors[fresh]
        needed = self._size + len(keys)
        if needed > len(self._keys):
            self._grow(needed)
        end = self._size + len(keys)
        self._columns[:, self._size : end] = vectors.T
        self._keys[self._size : end] = keys
        self._alive[self._size : end] = True
        self._position.put(keys, self._size)
        self._size = end

    def remove(self, keys: Sequence[int]) -> None:
        self._last = None
        for key in keys:
            if (row := self._position.pop(int(key))) is not None:
                self._alive[row] = False

    def _grow(self, needed: int) -> None:
        live = np.flatnonzero(self._alive[: self._size])
        capacity = max(needed - self._size + len(live), 2 * len(live), 1024)
        columns = np.zeros((self.dimension, capacity), dtype=np.float32)
        columns[:, : len(live)] = self._columns[:, live]
        keys = np.zeros(capacity, dtype=np.int64)
        keys[: len(live)] = self._keys[live]
        alive = np.zeros(capacity, dtype=np.bool_)
        alive[: len(live)] = True
        self._columns, self._keys, self._alive, self._size = columns, keys, alive, len(live)
        self._position = Positions()
        self._position.put(keys[: len(live)], 0)

    def vector(self, key: int) -> FloatArray:
        row: FloatArray = self._columns[:, self._position[key]].copy()
        return row

    def rows(self) -> tuple[KeyArray, FloatArray]:
        """(keys, vectors) of every live row, one row per key, in storage order (a copy)."""
        live = np.flatnonzero(self._alive[: self._size])
        vectors: FloatArray = np.ascontiguousarray(self._columns[:, live].T)
        return self._keys[live].copy(), vectors

    def scores(self, query: FloatArray) -> tuple[KeyArray, FloatArray]:
        """(keys, cosine scores) of every live row, in storage order."""
        keys = self._keys[: self._size]
        query = np.array(query, dtype=np.float32)  # a copy: the caller's may change
        scores = query @ self._columns[:, : self._size]
        self._last = query, scores
        if len(self._position) == self._size:  # no tombstones: skip two masked copies
            return keys, scores
        live = self._alive[: self._size]
        return keys[live], scores[live]

    def top(
        self, query: FloatArray, k: int, admit: Admit | None = None
    ) -> tuple[KeyArray, FloatArray]:
        """The k best rows by cosine among those `admit` lets through, best first."""
        keys, scores = self.scores(query)
        return top_admitted(keys, scores, k, admit)

    def cosines(self, query: FloatArray, keys: KeyArray) -> FloatArray:
        """The cosine of `query` with each of `keys`, in their order; 0 for a key not held."""
        rows = self._position.of(keys)
        held = rows >= 0
        out = np.zeros(len(keys), np.float32)
        query = np.asarray(query, np.float32)
        last = self._last
        if last is not None and np.array_equal(last[0], query):
            out[held] = last[1][rows[held]]
        elif GATHER_COST * held.sum() < self._size:
            out[held] = query @ self._columns[:, rows[held]]
        else:  # cheaper to stream every column than to gather these
            out[held] = (query @ self._columns[:, : self._size])[rows[held]]
        return out

    def search(self, query: FloatArray, k: int, allowed: set[int] | None = None) -> list[Hit]:
        """The k best rows by cosine, best first; `allowed` restricts to those keys."""
        keys, scores = self.scores(query)
        if allowed is not None:
            mask = np.isin(keys, np.fromiter(allowed, np.int64, len(allowed)))
            keys, scores = keys[mask], scores[mask]
        return top_k(keys, scores, k)


# Every SAMPLE_STRIDE-th score gives a floor for the top k: the k-th best of the sample is
# never above the k-th best of all, so only the few scores at or above it need partitioning.
SAMPLE_STRIDE = 64


def top_k(keys: KeyArray, scores: FloatArray, k: int) -> list[Hit]:
    """The k highest scores, best first, ties broken by key for determinism."""
    best, values = top_arrays(keys, scores, k)
    return [Hit(key, score) for key, score in zip(best.tolist(), values.tolist(), strict=True)]


def top_arrays(keys: KeyArray, scores: FloatArray, k: int) -> tuple[KeyArray, FloatArray]:
    """`top_k` as (keys, scores) arrays."""
    if k <= 0 or len(keys) == 0:
        return keys[:0], scores[:0]
    if len(scores) >= 4 * SAMPLE_STRIDE * k:  # a full partition of 1M scores costs ~10 ms
        keys, scores = _at_least(keys, scores, _kth_best(scores[::SAMPLE_STRIDE], k))
    if k < len(scores):  # every score tied with the k-th best stays, so keys break the tie
        keys, scores = _at_least(keys, scores, _kth_best(scores, k))
    order = np.lexsort((keys, -scores))[:k]
    return keys[order], scores[order]


def take_or(table: npt.NDArray[Any], at: KeyArray, missing: int) -> npt.NDArray[Any]:
    """`table[at]`, `missing` where `at` falls outside the table, in whole-array passes (a
    boolean-masked gather over the 100k keys of a filtered search took ms)."""
    if not len(table):
        return np.full(len(at), missing, table.dtype)
    out: npt.NDArray[Any] = table.take(at, mode="clip")
    if len(at) and (at.min() < 0 or at.max() >= len(table)):
        out[(at < 0) | (at >= len(table))] = missing
    return out


def top_admitted(
    keys: KeyArray, scores: FloatArray, k: int, admit: Admit | None
) -> tuple[KeyArray, FloatArray]:
    """(keys, scores) of the k best that `admit` lets through, best first (ties: lower key).

    The best few are asked first and more only while too few pass, so a selective filter costs
    more asks but never returns a short list while admissible keys remain.
    """
    if admit is None:
        return top_arrays(keys, scores, k)
    asked = 4 * k
    while True:
        best, values = top_arrays(keys, scores, asked)
        passed = admit(best)
        if passed.sum() >= k or asked >= len(keys):
            return best[passed][:k], values[passed][:k]
        asked *= 8


def _kth_best(scores: FloatArray, k: int) -> float:
    return float(np.partition(scores, len(scores) - k)[len(scores) - k])


def _at_least(keys: KeyArray, scores: FloatArray, floor: float) -> tuple[KeyArray, FloatArray]:
    kept = np.flatnonzero(scores >= floor)
    return keys[kept], scores[kept]


def align(
    own: KeyArray, scores: FloatArray, keys: KeyArray, order: KeyArray | None = None
) -> FloatArray:
    """`scores` of the `own` keys re-ordered to `keys` (0 for a key not among them); `order`
    is argsort(own) when the caller keeps it."""
    out = np.zeros(len(keys), np.float32)
    if len(own) == 0 or len(keys) == 0:
        return out
    order = np.argsort(own, kind="stable") if order is None else order
    ranked = own[order]
    pos = np.minimum(np.searchsorted(ranked, keys), len(ranked) - 1)
    hit = ranked[pos] == keys
    out[hit] = scores[order[pos[hit]]]
    return out
