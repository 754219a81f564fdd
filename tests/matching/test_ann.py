"""HnswIndex against a brute-force oracle on random unit vectors (real faiss): exact below its
threshold, high recall above it, never a removed or stale row, never a short filtered list."""

from dataclasses import dataclass, field

import faiss
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.matching.ann import HnswIndex
from service.matching.embedder import FloatArray
from service.matching.index import BoolArray, ExactIndex, KeyArray
from service.matching.requirements import Requirements
from tests.matching.test_index import DIM, oracle, unit_rows

SMALL = 500  # the threshold above which these tests search a graph: small, so they stay fast


@dataclass
class Among:
    """An Admit that lets through a fixed set of keys."""

    keys: set[int]
    requirements: Requirements = field(default_factory=Requirements)

    def __call__(self, keys: KeyArray) -> BoolArray:
        allowed = np.fromiter(self.keys, np.int64, len(self.keys))
        passed: BoolArray = np.isin(keys, allowed)
        return passed


def clustered(rng: np.random.Generator, n: int, dim: int = 32, clusters: int = 40) -> FloatArray:
    """Unit rows around a few random centres: the dense neighbourhoods a graph finds hard."""
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    rows = centres[rng.integers(0, clusters, n)]
    rows += 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def recall(found: KeyArray, expected: list[int]) -> float:
    """The share of `expected` found; nothing to find is found in full."""
    return len(set(found.tolist()) & set(expected)) / len(expected) if expected else 1.0


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    batches=st.lists(st.integers(1, 400), min_size=1, max_size=4),
    removed_share=st.floats(0, 0.9),
    k=st.integers(1, 30),
    admitted_share=st.sampled_from([1.0, 0.3, 0.01]),
)
def test_below_the_threshold_top_is_the_exact_index_through_writes(
    seed: int, batches: list[int], removed_share: float, k: int, admitted_share: float
) -> None:
    rng = np.random.default_rng(seed)
    ann, exact = HnswIndex(DIM, threshold=2_000), ExactIndex(DIM)
    stored = dict[int, FloatArray]()
    next_key = 0
    for size in batches:
        replaced = rng.choice(sorted(stored), min(size // 3, len(stored)), replace=False)
        keys = [int(x) for x in replaced] + list(range(next_key, next_key + size - len(replaced)))
        next_key += size
        vectors = unit_rows(rng, len(keys))
        for index in (ann, exact):
            index.add(keys, vectors)
        stored.update(zip(keys, vectors, strict=True))
        gone = [int(x) for x in rng.choice(sorted(stored), int(len(stored) * removed_share))]
        for index in (ann, exact):
            index.remove(gone)
        for key in set(gone):
            del stored[key]
    query = unit_rows(rng, 1)[0]
    admit = Among({key for key in stored if rng.random() < admitted_share})
    assert len(ann) == len(stored) and not ann.approximate
    for allowed in (None, admit):
        got, want = ann.top(query, k, allowed), exact.top(query, k, allowed)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
        assert got[0].dtype == np.int64 and got[1].dtype == np.float32
    assert [int(x) for x in ann.top(query, k)[0]] == oracle(stored, query, k)


@pytest.fixture(scope="module")
def data() -> FloatArray:
    return clustered(np.random.default_rng(11), 4_200)


@pytest.fixture(scope="module")
def rows(data: FloatArray) -> FloatArray:
    return data[:4_000]


@pytest.fixture(scope="module")
def queries(data: FloatArray) -> FloatArray:
    """Held-out rows of the same clusters."""
    return data[4_000:]


def graph_index(rows: FloatArray) -> HnswIndex:
    return HnswIndex(rows.shape[1], threshold=SMALL, build_threads=1).fit(range(len(rows)), rows)


def test_above_the_threshold_recall_is_high_and_scores_exact(
    rows: FloatArray, queries: FloatArray
) -> None:
    index = graph_index(rows)
    assert index.approximate
    stored = dict(enumerate(rows))
    for k in (10, 100):
        found = [index.top(q, k) for q in queries]
        mean = np.mean(
            [recall(f[0], oracle(stored, q, k)) for f, q in zip(found, queries, strict=True)]
        )
        assert mean >= 0.95, (k, mean)
        for (keys, scores), q in zip(found, queries, strict=True):
            assert len(keys) == k and np.all(np.diff(scores) <= 0)
            np.testing.assert_allclose(scores, rows[keys] @ q, atol=1e-5)
    again = graph_index(rows)  # one build thread: the same graph, the same answers
    for q in queries[:10]:
        np.testing.assert_array_equal(index.top(q, 50)[0], again.top(q, 50)[0])


def test_removed_and_replaced_keys_never_come_back_stale(rows: FloatArray) -> None:
    index, rng = graph_index(rows), np.random.default_rng(13)
    removed = [int(x) for x in rng.choice(len(rows), 300, replace=False)]
    index.remove(removed)
    replaced = [k for k in range(0, len(rows), 37) if k not in set(removed)][:50]
    fresh = rows[rng.choice(len(rows), len(replaced))][:, ::-1].copy()  # other unit rows
    index.add(replaced, fresh)
    stored = {k: v for k, v in enumerate(rows) if k not in set(removed)}
    stored.update(zip(replaced, fresh, strict=True))
    assert len(index) == len(stored) and index.approximate
    for key in removed[:50]:  # the removed row's own vector: itself would be the best hit
        keys, _ = index.top(rows[key], 20)
        assert key not in keys.tolist() and len(keys) == 20
    for key, vector in zip(replaced, fresh, strict=True):
        keys, scores = index.top(vector, 5)
        assert keys[0] == key and scores[0] == pytest.approx(1.0, abs=1e-5)
        old = index.top(rows[key], 50)
        assert all(
            s == pytest.approx(stored[int(k)] @ rows[key], abs=1e-5)
            for k, s in zip(*old, strict=True)
        )
    np.testing.assert_allclose(
        index.cosines(fresh[0], np.array([replaced[0], removed[0], 10**9])),
        [fresh[0] @ fresh[0], 0.0, 0.0],
        atol=1e-6,
    )


@pytest.mark.parametrize("share", [0.01, 0.004, 0.0, 0.2])
def test_a_selective_filter_still_returns_k_admitted_in_exact_order(
    rows: FloatArray, queries: FloatArray, share: float
) -> None:
    """1 %, 0.4 % (fewer rows than k) and none are answered exactly; 20 % (800 rows, above
    the threshold) goes through the graph with the filter in its selector."""
    index, rng = graph_index(rows), np.random.default_rng(15)
    admit = Among({int(k) for k in rng.choice(len(rows), int(share * len(rows)), replace=False)})
    stored = {k: rows[k] for k in admit.keys}
    recalls = []
    for q in queries[:50]:
        keys, scores = index.top(q, 20, admit)
        assert len(keys) == min(20, len(admit.keys)) and set(keys.tolist()) <= admit.keys
        expected = oracle(stored, q, 20)
        if share < 0.1:
            assert keys.tolist() == expected
        recalls.append(recall(keys, expected))
        np.testing.assert_allclose(scores, rows[keys] @ q, atol=1e-5)
    assert np.mean(recalls) >= 0.95


def test_rebuilds_and_threshold_crossings_happen_in_the_background_and_lose_no_write(
    rows: FloatArray, queries: FloatArray
) -> None:
    index = HnswIndex(rows.shape[1], threshold=SMALL, build_threads=1)
    index.add(list(range(SMALL - 1)), rows[: SMALL - 1])
    assert not index.approximate
    index.add(list(range(SMALL - 1, 3_000)), rows[SMALL - 1 : 3_000])  # crosses: builds
    index.add(list(range(3_000, 3_500)), rows[3_000:3_500])  # journaled if still building
    assert index.wait_for_build(60) and index.approximate
    index.remove(list(range(0, 1_200)))  # 1,200 tombstones of 3,500: a rebuild starts
    index.add(list(range(3_500, 4_000)), rows[3_500:4_000])
    index.remove(list(range(3_900, 4_000)))
    assert index.wait_for_build(60) and index.approximate
    stored = {k: rows[k] for k in range(1_200, 3_900)}
    assert len(index) == len(stored)
    for q in queries[:30]:
        keys, _ = index.top(q, 30)
        assert set(keys.tolist()) <= set(stored) and recall(keys, oracle(stored, q, 30)) >= 0.9
    for key in (3_000, 3_600, 3_899):  # rows written while a build ran are found
        assert index.top(rows[key], 1)[0].tolist() == [key]
    index.remove(list(range(1_200, 3_600)))  # shrinks below the threshold: exact again
    assert not index.approximate and len(index) == 300


def test_a_search_uses_one_thread_and_leaves_the_callers_setting(rows: FloatArray) -> None:
    index = graph_index(rows)
    before = faiss.omp_get_max_threads()
    index.top(rows[0], 10)
    assert faiss.omp_get_max_threads() == before
