"""Metrics against hand-computed cases, and the evaluation runner on a tiny labelled set."""

import math

import pytest

from service.matching.embedder import Embedders
from service.matching.evaluation import (
    LabelledQuery,
    evaluate,
    ndcg_at,
    recall_at,
    reciprocal_rank,
    summarize,
)
from service.matching.hs import HsSuggester


def test_ndcg_of_a_single_relevant_document_at_rank_three() -> None:
    # DCG = 1/log2(4) = 0.5; ideal DCG = 1/log2(2) = 1
    assert ndcg_at(["a", "b", "c", "d"], {"c"}) == pytest.approx(0.5)


def test_ndcg_of_two_relevant_documents_at_ranks_one_and_three() -> None:
    dcg = 1 + 1 / math.log2(4)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at(["a", "b", "c"], {"a", "c"}) == pytest.approx(dcg / ideal)


def test_ndcg_is_zero_when_the_relevant_document_is_below_the_cut_off() -> None:
    ranked = [str(i) for i in range(20)]
    assert ndcg_at(ranked, {"12"}, k=10) == 0.0
    assert ndcg_at(ranked, {"0"}, k=10) == 1.0


def test_recall_counts_the_share_of_relevant_documents_found() -> None:
    ranked = ["a", "b", "c", "d"]
    assert recall_at(ranked, {"b", "z"}, 1) == 0.0
    assert recall_at(ranked, {"b", "z"}, 2) == 0.5
    assert recall_at(ranked, {"a"}, 1) == 1.0


def test_reciprocal_rank_reads_the_first_relevant_within_k() -> None:
    assert reciprocal_rank(["a", "b", "c"], {"c", "b"}) == 0.5
    assert reciprocal_rank([str(i) for i in range(12)], {"11"}, k=10) == 0.0


def test_summarize_averages_over_queries() -> None:
    m = summarize([["a", "b"], ["x", "y"]], [{"a"}, {"y"}])
    assert m.queries == 2
    assert m.recall_1 == 0.5
    assert m.mrr_10 == pytest.approx((1 + 0.5) / 2)
    assert m.ndcg_10 == pytest.approx((1 + 1 / math.log2(3)) / 2)


def test_given_examples_lift_a_query_whose_words_match_no_document(
    embedders: Embedders,
) -> None:
    corpus = (
        ["bikes", "tea", "sauce"],
        [
            "Bicycles and other cycles, not motorised",
            "Tea, whether or not flavoured",
            "Sauces and preparations therefor; mixed condiments",
        ],
    )
    queries = [  # "zq-77 frame kit" says nothing about bicycles: a confirmed twin must say it
        LabelledQuery("q1", "zq-77 frame kit", "goods_description", frozenset({"bikes"})),
        LabelledQuery("q2", "worcestershire sauce", "search_reference", frozenset({"sauce"})),
        LabelledQuery("q3", "green tea leaves", "search_reference", frozenset({"tea"})),
    ]
    examples = [  # no document id is an HS code: they vote for documents
        LabelledQuery("e1", "zq-77 frame kit blue", "goods_description", frozenset({"bikes"})),
        LabelledQuery("q2", "sauce", "search_reference", frozenset({"tea"})),  # an evaluated id
        LabelledQuery("e3", "Green tea leaves", "search_reference", frozenset({"sauce"})),  # text
    ]
    result = evaluate(embedders, None, corpus, queries, text_field="text", examples=examples)
    assert set(result.methods) == {"lexical", "dense", "hybrid", "hybrid+examples"}
    assert result.examples == "given (3 queries, each fold without its own)"
    goods = result.methods["hybrid+examples"].by_source["goods_description"]
    assert goods.recall_1 == 1.0
    # the misleading two were left out of the folds of the queries they copy
    assert result.methods["hybrid+examples"].overall.recall_1 == 1.0
    assert result.as_json()["dense"]["overall"]["queries"] == 3  # type: ignore[index]


def test_a_chinese_query_finds_the_english_heading_through_the_hs_bridge(
    embedders: Embedders, bilingual: HsSuggester
) -> None:
    corpus = (
        ["0902", "2103", "8712"],
        [
            "Coffee, tea, mate and spices | Tea, whether or not flavoured",
            "Miscellaneous edible preparations | Sauces and preparations therefor",
            "Vehicles | Bicycles and other cycles (including delivery tricycles), not motorised",
        ],
    )
    queries = [
        LabelledQuery("z1", "绿茶", "cn_customs_name", frozenset({"0902"})),
        LabelledQuery("z2", "自行车", "cn_customs_name", frozenset({"8712"})),
    ]
    result = evaluate(embedders, bilingual, corpus, queries, text_field="text_rich", folds=2)
    assert result.methods["hybrid"].overall.recall_1 == 1.0
    assert result.methods["hybrid+examples"].overall.recall_1 == 1.0
