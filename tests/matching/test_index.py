"""The exact index agrees with a brute-force oracle on random vectors, through adds and removals;
the multilingual index reads the rows of the index asked."""

from dataclasses import dataclass, field

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from service.matching.embedder import FloatArray
from service.matching.index import BoolArray, ExactIndex, KeyArray, top_admitted, top_k
from service.matching.multilingual import MultilingualIndex
from service.matching.requirements import Requirements

DIM = 16


def unit_rows(rng: np.random.Generator, n: int) -> FloatArray:
    rows: FloatArray = rng.standard_normal((n, DIM)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def oracle(stored: dict[int, FloatArray], query: FloatArray, k: int) -> list[int]:
    """Every stored row scored one by one, sorted by (-score, key)."""
    scored = sorted((-float(v @ query), key) for key, v in stored.items())
    return [key for _, key in scored[:k]]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    batches=st.lists(st.integers(1, 700), min_size=1, max_size=4),
    removed_share=st.floats(0, 0.9),
    k=st.integers(1, 30),
)
def test_search_matches_brute_force_after_adds_replacements_and_removals(
    seed: int, batches: list[int], removed_share: float, k: int
) -> None:
    rng = np.random.default_rng(seed)
    index, stored = ExactIndex(DIM), dict[int, FloatArray]()
    next_key = 0
    for size in batches:
        # a third of each batch replaces existing keys, the rest is new
        replaced = rng.choice(sorted(stored), min(size // 3, len(stored)), replace=False)
        old = [int(x) for x in replaced]
        keys = old + list(range(next_key, next_key + size - len(old)))
        next_key += size
        vectors = unit_rows(rng, len(keys))
        index.add(keys, vectors)
        stored.update(zip(keys, vectors, strict=True))
        removed = rng.choice(sorted(stored), int(len(stored) * removed_share), replace=False)
        gone = [int(x) for x in removed]
        index.remove(gone)
        for key in gone:
            del stored[key]
    query = unit_rows(rng, 1)[0]
    assert len(index) == len(stored)
    assert [h.key for h in index.search(query, k)] == oracle(stored, query, k)
    live, scores = index.scores(query)
    assert sorted(live.tolist()) == sorted(stored)
    np.testing.assert_allclose(scores, [stored[int(key)] @ query for key in live], atol=1e-5)


def test_allowed_restricts_hits_and_fit_replaces_everything() -> None:
    rng = np.random.default_rng(7)
    vectors = unit_rows(rng, 50)
    index = ExactIndex(DIM).fit(list(range(50)), vectors)
    allowed = {3, 9, 27}
    hits = index.search(vectors[9], 10, allowed=allowed)
    assert [h.key for h in hits] == oracle({k: vectors[k] for k in allowed}, vectors[9], 10)
    assert hits[0].key == 9
    index.fit([100], vectors[:1])
    assert [h.key for h in index.search(vectors[0], 5)] == [100]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40_000),
    k=st.integers(1, 200),
    levels=st.sampled_from([3, 50, 0]),
)
def test_top_k_matches_a_full_sort_with_ties(seed: int, n: int, k: int, levels: int) -> None:
    """Large inputs take the sampled-floor path; few distinct levels make many ties."""
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal(n).astype(np.float32)
    if levels:
        scores = (np.round(scores * levels) / levels).astype(np.float32)
    keys = rng.permutation(n).astype(np.int64)
    expected = sorted(zip((-scores).tolist(), keys.tolist(), strict=True))[:k]
    hits = top_k(keys, scores, k)
    assert [(h.key, h.score) for h in hits] == [(key, -neg) for neg, key in expected]


@dataclass
class Passing:
    """An Admit that lets through the keys in a fixed mask (indexed by key)."""

    mask: BoolArray
    requirements: Requirements = field(default_factory=Requirements)

    def __call__(self, keys: KeyArray) -> BoolArray:
        passed: BoolArray = self.mask[keys]
        return passed


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 5_000),
    k=st.integers(1, 200),
    share=st.sampled_from([1.0, 0.5, 0.05, 0.002, 0.0]),
    levels=st.sampled_from([0, 5]),
)
def test_top_admitted_matches_a_full_sort_of_the_admitted(
    seed: int, n: int, k: int, share: float, levels: int
) -> None:
    """Random admit masks, from all to none: never a short list while admitted keys remain,
    ties broken by the lower key."""
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal(n).astype(np.float32)
    if levels:
        scores = (np.round(scores * levels) / levels).astype(np.float32)
    keys = rng.permutation(n).astype(np.int64)
    admit = Passing(rng.random(n) < share)
    expected = sorted(
        (-s, key) for s, key in zip(scores.tolist(), keys.tolist(), strict=True) if admit.mask[key]
    )
    best, values = top_admitted(keys, scores, k, admit)
    assert list(zip(best.tolist(), values.tolist(), strict=True)) == [
        (key, -neg) for neg, key in expected[:k]
    ]
    assert best.dtype == np.int64 and values.dtype == np.float32
    unfiltered = top_admitted(keys, scores, k, None)
    assert unfiltered[0].tolist() == [
        key for _, key in sorted(zip((-scores).tolist(), keys.tolist(), strict=True))[:k]
    ]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), change=st.sampled_from(["add", "replace", "remove", "fit"]))
def test_cosines_after_top_equal_fresh_ones_even_when_rows_changed_between(
    seed: int, change: str
) -> None:
    """`cosines` reads the scores `top` computed for the same query, never stale ones."""
    rng = np.random.default_rng(seed)
    vectors = unit_rows(rng, 300)
    index = ExactIndex(DIM).fit(list(range(300)), vectors)
    query = unit_rows(rng, 1)[0]
    keys = np.array([5, 299, 7, 400, 120], np.int64)  # 400: not held
    index.top(query, 10)
    stored = dict(enumerate(vectors))
    expected = [float(stored[k] @ query) if k in stored else 0.0 for k in keys.tolist()]
    np.testing.assert_allclose(index.cosines(query, keys), expected, atol=1e-5)
    fresh = unit_rows(rng, 2)
    if change == "add":
        index.add([400, 401], fresh)
        stored |= {400: fresh[0], 401: fresh[1]}
    elif change == "replace":
        index.add([5, 7], fresh)
        stored |= {5: fresh[0], 7: fresh[1]}
    elif change == "remove":
        index.remove([299])
        del stored[299]
    else:
        index.fit([7, 400], fresh)
        stored = {7: fresh[0], 400: fresh[1]}
    expected = [float(stored[k] @ query) if k in stored else 0.0 for k in keys.tolist()]
    np.testing.assert_allclose(index.cosines(query, keys), expected, atol=1e-5)
    other = unit_rows(rng, 1)[0]  # another query is never answered from the last one's scores
    expected = [float(stored[k] @ other) if k in stored else 0.0 for k in keys.tolist()]
    np.testing.assert_allclose(index.cosines(other, keys), expected, atol=1e-5)


def test_multilingual_cosines_of_the_chinese_items_only_leave_the_others_at_zero() -> None:
    rng = np.random.default_rng(3)
    vectors = unit_rows(rng, 4)
    index = MultilingualIndex(DIM).fit([1, 2, 3, 4], vectors, np.array([True, False, True, False]))
    query, keys = unit_rows(rng, 1)[0], np.array([4, 3, 2, 1, 9], np.int64)
    every = index.cosines(query, keys)
    np.testing.assert_allclose(every[:4], vectors[[3, 2, 1, 0]] @ query, atol=1e-6)
    assert every[4] == 0.0
    only = index.cosines(query, keys, chinese_only=True)
    np.testing.assert_allclose(only, [0.0, every[1], 0.0, every[3], 0.0], atol=1e-6)
