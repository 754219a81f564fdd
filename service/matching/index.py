"""Exact cosine top-k over L2-normalised rows, growable in place."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from service.matching.embedder import FloatArray
from service.matching.requirements import Requirements

KeyArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Hit:
    key: int
    score: float


class ExactIndex:
    """Brute-force inner product (= cosine on normalised rows), one matvec per query.

    Exact search is fast enough to a few hundred thousand rows and has perfect recall, so the
    embedded backend needs no ANN structure. The rows live in one C-contiguous float32 matrix so
    a query is a single BLAS sgemv, bound by memory bandwidth like faiss's flat index. Keys are
    caller ids; removal leaves a tombstone that the next growth compacts away.
    """

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._vectors = np.zeros((0, dimension), dtype=np.float32)
        self._keys = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=np.bool_)
        self._size = 0
        self._position: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._position)

    def fit(self, keys: Sequence[int], vectors: FloatArray) -> Self:
        self._vectors = np.zeros((0, self.dimension), dtype=np.float32)
        self._keys = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=np.bool_)
        self._size = 0
        self._position = {}
        self.add(keys, vectors)
        return self

    def add(self, keys: Sequence[int], vectors: FloatArray) -> None:
        """Insert rows by key; a key already present has its row overwritten in place."""
        if vectors.shape != (len(keys), self.dimension):
            raise ValueError(f"expected {len(keys)}x{self.dimension} vectors, got {vectors.shape}")
        present = [i for i, key in enumerate(keys) if key in self._position]
        if present:  # e.g. a re-embed: no tombstones, no growth
            rows = [self._position[int(keys[i])] for i in present]
            self._vectors[rows] = vectors[present]
            if len(present) == len(keys):
                return
            fresh = np.setdiff1d(np.arange(len(keys)), present)
            keys, vectors = [keys[i] for i in fresh], vectors[fresh]
        needed = self._size + len(keys)
        if needed > len(self._keys):
            self._grow(needed)
        end = self._size + len(keys)
        self._vectors[self._size : end] = vectors
        self._keys[self._size : end] = keys
        self._alive[self._size : end] = True
        for offset, key in enumerate(keys):
            self._position[int(key)] = self._size + offset
        self._size = end

    def remove(self, keys: Sequence[int]) -> None:
        for key in keys:
            if (row := self._position.pop(int(key), None)) is not None:
                self._alive[row] = False

    def _grow(self, needed: int) -> None:
        live = np.flatnonzero(self._alive[: self._size])
        capacity = max(needed - self._size + len(live), 2 * len(live), 1024)
        vectors = np.zeros((capacity, self.dimension), dtype=np.float32)
        vectors[: len(live)] = self._vectors[live]
        keys = np.zeros(capacity, dtype=np.int64)
        keys[: len(live)] = self._keys[live]
        alive = np.zeros(capacity, dtype=np.bool_)
        alive[: len(live)] = True
        self._vectors, self._keys, self._alive, self._size = vectors, keys, alive, len(live)
        self._position = {int(k): i for i, k in enumerate(keys[: len(live)])}

    def vector(self, key: int) -> FloatArray:
        row: FloatArray = self._vectors[self._position[key]].copy()
        return row

    def scores(
        self, query: FloatArray, where: Requirements | None = None
    ) -> tuple[KeyArray, FloatArray]:
        """(keys, cosine scores) of every live row, in storage order.

        `where` is ignored: every row is scored and the ranker checks requirements itself (a
        database-backed source uses it to filter in SQL instead).
        """
        keys = self._keys[: self._size]
        scores = np.dot(self._vectors[: self._size], np.asarray(query, dtype=np.float32))
        if len(self._position) == self._size:  # no tombstones: skip two masked copies
            return keys, scores
        live = self._alive[: self._size]
        return keys[live], scores[live]

    def search(self, query: FloatArray, k: int, allowed: set[int] | None = None) -> list[Hit]:
        """The k best rows by cosine, best first; `allowed` restricts to those keys."""
        keys, scores = self.scores(query)
        if allowed is not None:
            mask = np.isin(keys, np.fromiter(allowed, np.int64, len(allowed)))
            keys, scores = keys[mask], scores[mask]
        return top_k(keys, scores, k)


def top_k(keys: KeyArray, scores: FloatArray, k: int) -> list[Hit]:
    """The k highest scores, best first, ties broken by key for determinism."""
    if k <= 0 or len(keys) == 0:
        return []
    if k < len(scores):
        part = np.argpartition(scores, len(scores) - k)[-k:]  # no negated copy of all scores
        keys, scores = keys[part], scores[part]
    order = np.lexsort((keys, -scores))
    return [Hit(int(keys[i]), float(scores[i])) for i in order]
