"""Approximate dense top-k: a faiss HNSW graph beside an exact index of the same rows, a drop-in
for ExactIndex where a catalogue outgrows one exact scan per request.

Below `threshold` live rows every answer is exact (ExactIndex) and no graph exists, so small
catalogues, the tests and the evaluation stay exact and deterministic. From the threshold on:

- `fit` builds the graph synchronously on every core; `add` inserts into it incrementally on
  one thread; `remove` and replacement leave tombstones (HNSW cannot delete), which searches
  skip through a faiss IDSelectorBitmap over graph positions.
- When tombstones pass `rebuild_share` of the graph, or adds carry a catalogue across the
  threshold, a new graph is built from a snapshot in a background thread on one core (the
  others keep serving; OpenMP threads spinning beside request threads slowed a 2-core machine
  2.5x); writes made meanwhile are journaled and replayed onto it, and it is swapped in under
  the lock once the journal is empty. Until then searches use the old graph, or answer exactly
  when none exists. faiss releases the GIL while it builds, so searches go on during a rebuild.
- One lock serialises searches and writes (faiss HNSW cannot search while it inserts); the
  catalog calls under its own lock anyway.
- A search runs on the calling thread with OpenMP limited to 1 there (the count is per thread:
  a build thread's cores do not leak into requests, and the caller's setting is restored).

Determinism: faiss draws HNSW levels from a generator with a fixed seed, so the same sequence of
calls gives the same graph when it is built on one thread (`build_threads=1`, and every
background build); a graph that `fit` builds on several threads can differ from run to run in
which neighbours it links. A background build makes *when* answers turn approximate depend on
timing (`wait_for_build` pins it for tests and benchmarks).
"""

import math
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Self

import faiss
import numpy as np

from service.matching.embedder import FloatArray
from service.matching.index import (
    Admit,
    BoolArray,
    ExactIndex,
    KeyArray,
    Positions,
    top_arrays,
)

# Exact top-200 over this many rows takes ~1.5 ms on one core here (bench/ann.py); a graph
# search at k=200 takes ~1 ms at any size, and below this a build is not worth its CPU.
THRESHOLD = 16_000
M = 16  # graph degree: recall@200 0.99 at ef 256 on the calibrated data, 34 CPU-s per 100k
EF_CONSTRUCTION = 64
EF_PER_K = 1.28  # ef_search = 1.28 k: recall@200 ~0.99 at 100k x 384 (bench/ann.py)
EF_MIN = 64
WIDENINGS = 2  # ef x4 each time, then the exact index answers
# Scoring the rows a filter admits directly beats the graph up to ~5,000 of them at k=200
# (1.1 ms to read 4,000 rows, 4 ms for the graph at that selectivity; bench/ann.py's data).
EXACT_ROWS = 5_000
REBUILD_SHARE = 0.25


@contextmanager
def omp_threads(count: int) -> Iterator[None]:
    """OpenMP threads for faiss calls made by this thread only (the count is per thread)."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


class _Graph:
    """An HNSW graph over rows added in order: graph position -> key, and which positions live."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.index = faiss.IndexHNSWFlat(dimension, M, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = EF_CONSTRUCTION
        self.keys = np.zeros(0, np.int64)
        self.alive = np.zeros(0, np.bool_)
        self.position = Positions()

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def tombstones(self) -> int:
        return self.size - len(self.position)

    def add(self, keys: KeyArray, vectors: FloatArray, threads: int) -> None:
        self.remove(keys)  # a replaced key's old position becomes a tombstone
        start = self.size
        with omp_threads(threads):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.keys = np.concatenate([self.keys, keys])
        self.alive = np.concatenate([self.alive, np.ones(len(keys), np.bool_)])
        self.position.put(keys, start)

    def remove(self, keys: KeyArray) -> None:
        for key in keys.tolist():
            if (row := self.position.pop(key)) is not None:
                self.alive[row] = False

    def search(
        self, query: FloatArray, k: int, ef: int, allowed: BoolArray
    ) -> tuple[KeyArray, FloatArray]:
        """Up to k of the `allowed` positions, by the graph's approximate order."""
        # the one-argument form sizes the bitmap in bytes and keeps the array referenced
        bits = np.packbits(allowed, bitorder="little")
        selector = faiss.IDSelectorBitmap(bits)  # type: ignore[call-arg, arg-type]
        # SearchParametersHNSW is missing from faiss's type stubs
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=ef)  # type: ignore[attr-defined]
        with omp_threads(1):
            scores, rows = self.index.search(query[None], k, params=params)
        found = rows[0] >= 0
        keys: KeyArray = self.keys[rows[0][found]]
        return keys, scores[0][found]

    def exact(self, query: FloatArray, positions: KeyArray) -> FloatArray:
        """Exact inner products with the rows at `positions`, read from the graph's storage."""
        scores: FloatArray = self.index.reconstruct_batch(positions) @ query
        return scores


class HnswIndex:
    """ExactIndex's interface (fit, add, remove, vector, top, cosines) over an HNSW graph."""

    def __init__(
        self,
        dimension: int,
        threshold: int = THRESHOLD,
        rebuild_share: float = REBUILD_SHARE,
        build_threads: int | None = None,
    ) -> None:
        self.dimension = dimension
        self.threshold = threshold
        self.rebuild_share = rebuild_share
        self.build_threads = build_threads or os.cpu_count() or 1
        self._exact = ExactIndex(dimension)
        self._graph: _Graph | None = None
        self._lock = threading.Lock()
        self._journal: list[tuple[KeyArray, FloatArray | None]] | None = None  # while building
        self._builder: threading.Thread | None = None
        self._generation = 0  # a fit abandons any build in flight

    def __len__(self) -> int:
        return len(self._exact)

    @property
    def approximate(self) -> bool:
        """Whether searches go through the graph now."""
        return self._graph is not None and len(self._exact) >= self.threshold

    def fit(self, keys: Sequence[int], vectors: FloatArray) -> Self:
        with self._lock:
            self._generation += 1
            self._journal, self._builder = None, None
            self._exact.fit(keys, vectors)
            self._graph = None
            if len(self._exact) >= self.threshold:
                graph = _Graph(self.dimension)
                graph.add(*self._exact.rows(), self.build_threads)
                self._graph = graph
        return self

    def add(self, keys: Sequence[int], vectors: FloatArray) -> None:
        """Insert rows by key; a key already present is replaced."""
        with self._lock:
            self._exact.add(keys, vectors)
            held = np.asarray(keys, dtype=np.int64)
            if self._graph is not None:
                self._graph.add(held, vectors, threads=1)
            if self._journal is not None:
                self._journal.append((held, np.array(vectors, dtype=np.float32)))
            self._maybe_rebuild()

    def remove(self, keys: Sequence[int]) -> None:
        with self._lock:
            self._exact.remove(keys)
            gone = np.asarray(keys, dtype=np.int64)
            if self._graph is not None:
                self._graph.remove(gone)
            if self._journal is not None:
                self._journal.append((gone, None))
            self._maybe_rebuild()

    def vector(self, key: int) -> FloatArray:
        with self._lock:
            return self._exact.vector(key)

    def cosines(self, query: FloatArray, keys: KeyArray) -> FloatArray:
        """The cosine of `query` with each of `keys`, in their order; 0 for a key not held."""
        with self._lock:
            graph = self._graph
            if graph is None:
                return self._exact.cosines(query, keys)
            # the graph's rows are contiguous: reading a few hundred is cheaper there than
            # gathering columns of the exact index's column-major matrix
            rows = graph.position.of(keys)
            held = rows >= 0
            out = np.zeros(len(keys), np.float32)
            out[held] = graph.exact(np.asarray(query, dtype=np.float32), rows[held])
            return out

    def top(
        self, query: FloatArray, k: int, admit: Admit | None = None
    ) -> tuple[KeyArray, FloatArray]:
        """The k best rows by cosine among those `admit` lets through, best first (ties: lower
        key); approximate from the threshold on, never short while admissible rows remain."""
        with self._lock:
            graph = self._graph
            if graph is None or len(self._exact) < self.threshold or k <= 0:
                return self._exact.top(query, k, admit)
            query = np.asarray(query, dtype=np.float32)
            allowed = graph.alive
            if admit is not None:  # a removed key has no owner: admit says no to it
                allowed = allowed & admit(graph.keys)
            count = int(allowed.sum())
            if count <= min(EXACT_ROWS, self.threshold):  # cheaper than the graph: exactly
                positions = np.flatnonzero(allowed)
                return top_arrays(graph.keys[positions], graph.exact(query, positions), k)
            # a filter passing a share p of the rows needs ~1/sqrt(p) the ef for equal recall
            ef = max(EF_MIN, math.ceil(EF_PER_K * k * math.sqrt(len(self._exact) / count)))
            for _ in range(WIDENINGS + 1):
                keys, scores = graph.search(query, k, ef, allowed)
                if len(keys) >= min(k, count):
                    return top_arrays(keys, scores, k)
                ef *= 4
            return self._exact.top(query, k, admit)

    def wait_for_build(self, timeout: float | None = None) -> bool:
        """Wait for a background build to be swapped in; False if one is still running."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)
            return not builder.is_alive()
        return True

    def _maybe_rebuild(self) -> None:
        """Start a background build if the catalogue crossed the threshold without a graph, or
        tombstones make up too much of the graph. Called under the lock."""
        if self._builder is not None:
            return
        graph, live = self._graph, len(self._exact)
        if graph is None and live < self.threshold:
            return
        if graph is not None and graph.tombstones <= self.rebuild_share * graph.size:
            return
        if live < self.threshold:  # shrunk below: exact from now on, no graph to maintain
            self._graph = None
            return
        self._journal = []
        keys, vectors = self._exact.rows()
        self._builder = threading.Thread(
            target=self._build, args=(keys, vectors, self._generation), daemon=True
        )
        self._builder.start()

    def _build(self, keys: KeyArray, vectors: FloatArray, generation: int) -> None:
        graph = _Graph(self.dimension)
        graph.add(keys, vectors, threads=1)
        while True:
            with self._lock:
                if generation != self._generation:  # a fit replaced everything meanwhile
                    return
                assert self._journal is not None
                pending, self._journal = self._journal, []
                if not pending:
                    self._graph, self._journal, self._builder = graph, None, None
                    return
            for changed, rows in pending:  # replayed outside the lock; the next turn catches up
                if rows is None:
                    graph.remove(changed)
                else:
                    graph.add(changed, rows, threads=1)
