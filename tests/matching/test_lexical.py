"""TF-IDF scoring: Chinese character n-grams, and the fast transform against scikit-learn's."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from service.matching.index import BoolArray, KeyArray
from service.matching.lexical import LexicalIndex, chars, words
from service.matching.requirements import Requirements

TEXTS = [
    "Sauces and preparations therefor; mixed condiments and mixed seasonings",
    "Tea, whether or not flavoured",
    "Telephone sets, including smartphones",
    "调味汁及其制品 混合调味品",
    "茶 不论是否加香料",
    "电话机 包括智能手机",
]


def test_chinese_runs_give_character_unigrams_and_bigrams_to_both_halves() -> None:
    assert words("智能手机 model X2") == [
        "model",
        "x2",
        "model x2",
        "智",
        "能",
        "手",
        "机",
        "智能",
        "能手",
        "手机",
    ]
    assert chars("茶叶") == ["茶", "叶", "茶叶"]
    assert chars("tea") == [" te", "tea", "ea ", " tea", "tea ", " tea "]


def test_a_chinese_query_finds_the_chinese_text_sharing_its_words() -> None:
    index = LexicalIndex().fit(list(range(len(TEXTS))), TEXTS)
    keys, scores = index.scores("智能手机")
    assert int(keys[np.argmax(scores)]) == 5
    assert scores[:3].tolist() == [0.0, 0.0, 0.0]  # no n-gram crosses the two scripts


def test_query_rows_equal_scikit_learns_transform() -> None:
    index = LexicalIndex(word_weight=0.0).fit(list(range(len(TEXTS))), TEXTS)
    reference = TfidfVectorizer(analyzer=chars, sublinear_tf=True).fit(TEXTS)
    queries = ["mixed seasoning sauce", "smartphones and tablets", "混合调味料"]
    ours = index.transform(queries).toarray()[:, -len(reference.vocabulary_) :]
    assert ours == pytest.approx(reference.transform(queries).toarray(), abs=1e-6)


# Latin letters in both cases and accented, digits, punctuation, spaces of several kinds
# (tab, newline, ideographic space), Chinese characters: what splits a text into words
_MIXED = st.text(st.sampled_from(list("teaSAUCEmixd édÉ-2. \t\n\u3000茶叶调味品")), max_size=40)


@given(st.lists(_MIXED, min_size=1, max_size=4))
def test_rows_from_kept_word_columns_equal_scikit_learns_transform(queries: list[str]) -> None:
    index = LexicalIndex(word_weight=0.0).fit(list(range(len(TEXTS))), TEXTS)
    reference = TfidfVectorizer(analyzer=chars, sublinear_tf=True).fit(TEXTS)
    expected = reference.transform(queries).toarray()
    for _ in range(2):  # the second time every word's columns are kept ones
        ours = index.transform(queries).toarray()[:, -len(reference.vocabulary_) :]
        assert ours == pytest.approx(expected, abs=1e-6)


def test_additions_and_removals_are_seen_by_the_next_query() -> None:
    index = LexicalIndex(refit_growth=10.0).fit(list(range(len(TEXTS))), TEXTS)
    index.remove([1])
    index.add([9], ["Tea, green, whether or not flavoured"])
    keys, scores = index.scores("green tea")
    assert 1 not in keys.tolist()
    assert int(keys[np.argmax(scores)]) == 9
    assert index.cosines("green tea", np.array([9, 1, 5])).tolist()[1:] == [0.0, 0.0]


def _catalogue(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    vocabulary = ["tea", "green", "black", "oolong", "jar", "glass", "lid", "steel", "pan"]
    vocabulary += ["pot", "wok", "led", "lamp", "茶叶", "绿茶", "玻璃", "罐", "灯"]
    return [" ".join(rng.choice(vocabulary, size=int(rng.integers(2, 7)))) for _ in range(n)]


class _Even:
    requirements = Requirements()

    def __call__(self, keys: KeyArray) -> BoolArray:
        mask: BoolArray = keys % 2 == 0
        return mask


@pytest.mark.parametrize("budget", [10**9, 40])
def test_top_is_the_exact_top_k_or_exactly_scored_candidates(budget: int) -> None:
    texts = _catalogue(400, 3)
    index = LexicalIndex(postings_budget=budget).fit(list(range(400)), texts)
    index.remove([4, 6])
    index.add([6, 1000], ["green tea jar", "oolong tea in glass jars"])
    all_keys, all_scores = index.scores("green tea glass jar")
    for admit in (None, _Even()):
        keys, scores = index.top("green tea glass jar", 10, admit)
        assert len(keys) == 10 and 4 not in keys.tolist()
        exact = dict(zip(all_keys.tolist(), all_scores.tolist(), strict=True))
        assert scores.tolist() == pytest.approx([exact[k] for k in keys.tolist()], abs=1e-6)
        assert admit is None or all(k % 2 == 0 for k in keys.tolist())
        if budget > 10**6:  # every posting summed: the exact top-10 among admitted keys
            ranked = sorted((-s, k) for k, s in exact.items() if admit is None or k % 2 == 0)[:10]
            assert keys.tolist() == [k for _, k in ranked]


def test_a_background_refit_ends_as_a_fresh_fit_would() -> None:
    texts = _catalogue(300, 5)
    index = LexicalIndex(background_from=1, refit_growth=0.1).fit(list(range(300)), texts)
    added = ["zebrawood chopsticks", *(f"zebrawood bowl {i}" for i in range(60))]
    index.add(list(range(300, 361)), added)
    assert index.cosines("zebrawood", np.array([300])).tolist() == [0.0]  # not in the vocabulary
    index.settle()
    fresh = LexicalIndex().fit(list(range(361)), texts + added)
    keys = np.arange(361)
    np.testing.assert_allclose(
        index.cosines("zebrawood chopsticks", keys),
        fresh.cosines("zebrawood chopsticks", keys),
        atol=1e-6,
    )
    assert index.top("zebrawood chopsticks", 1)[0].tolist() == [300]


def test_a_stored_text_asking_reads_its_fitted_row_with_the_same_scores() -> None:
    texts = _catalogue(300, 5)
    index = LexicalIndex().fit(list(range(300)), texts)
    everything = np.arange(300)
    for text in texts[:20]:  # indexed texts: their fitted rows, not analysed again
        analysed = index.transform([text]) @ index.transform(texts).T
        assert index.cosines(text, everything) == pytest.approx(analysed.toarray()[0], abs=1e-6)


@given(st.lists(st.integers(-5, 420), max_size=60), st.sampled_from(["green tea jar", "灯 lamp"]))
def test_cosines_of_any_keys_equal_the_full_scores(keys: list[int], text: str) -> None:
    index = _INDEX_WITH_CHANGES
    all_keys, all_scores = index.scores(text)
    exact = dict(zip(all_keys.tolist(), all_scores.tolist(), strict=True))
    asked = np.array(keys, np.int64)
    expected = [exact.get(k, 0.0) for k in keys]  # 0 for a key removed or never held
    assert index.cosines(text, asked).tolist() == pytest.approx(expected, abs=1e-6)


_INDEX_WITH_CHANGES = LexicalIndex(refit_growth=10.0).fit(list(range(400)), _catalogue(400, 7))
_INDEX_WITH_CHANGES.remove([3, 5])
_INDEX_WITH_CHANGES.add([5, 410], ["green tea lamp", "glass jar lid"])
