"""TF-IDF scoring: Chinese character n-grams, and the fast transform against scikit-learn's."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from service.matching.lexical import LexicalIndex, chars, words

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


def test_additions_and_removals_are_seen_by_the_next_query() -> None:
    index = LexicalIndex(refit_growth=10.0).fit(list(range(len(TEXTS))), TEXTS)
    index.remove([1])
    index.add([9], ["Tea, green, whether or not flavoured"])
    keys, scores = index.scores("green tea")
    assert 1 not in keys.tolist()
    assert int(keys[np.argmax(scores)]) == 9
    assert index.aligned("green tea", np.array([9, 1, 5])).tolist()[1:] == [0.0, 0.0]
