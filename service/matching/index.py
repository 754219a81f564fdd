"""Exact cosine top-k over L2-normalised rows, growable in place."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from service.matching.embedder import FloatArray

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Hit:
    key: int
    score: float


class ExactIndex:
    """Brute-force inner product (= cosine on normalised rows), one matvec per query.

    Exact search is fast enough to a few hundred thousand rows and has perfect recall, so the
    embedded backend needs no ANN structure. Keys are caller ids; removal leaves a tombstone
    that the next growth compacts away.
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
        """Insert or replace rows by key."""
        if vectors.shape != (len(keys), self.dimension):
            raise ValueError(f"expected {len(keys)}x{self.dimension} vectors, got {vectors.shape}")
        self.remove([k for k in keys if k in self._position])
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
        return self._vectors[self._position[key]].copy()

    def scores(self, query: FloatArray) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """(keys, cosine scores) of every live row, in storage order."""
        live = self._alive[: self._size]
        scores = self._vectors[: self._size] @ query
        return self._keys[: self._size][live], scores[live]

    def search(self, query: FloatArray, k: int, allowed: set[int] | None = None) -> list[Hit]:
        """The k best rows by cosine, best first; `allowed` restricts to those keys."""
        keys, scores = self.scores(query)
        if allowed is not None:
            mask = np.fromiter((int(key) in allowed for key in keys), bool, len(keys))
            keys, scores = keys[mask], scores[mask]
        return top_k(keys, scores, k)


def top_k(keys: npt.NDArray[np.int64], scores: FloatArray, k: int) -> list[Hit]:
    """The k highest scores, best first, ties broken by key for determinism."""
    if k <= 0 or len(keys) == 0:
        return []
    if k < len(scores):
        part = np.argpartition(-scores, k - 1)[:k]
        keys, scores = keys[part], scores[part]
    order = np.lexsort((keys, -scores))
    return [Hit(int(keys[i]), float(scores[i])) for i in order]
