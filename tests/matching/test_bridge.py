"""Supplier search through the HS bridge, in English and Chinese, with the real models: items
without HS codes are classified at write time, queries at search time (service.matching.
pipeline), and the ranker credits a heading both probably share."""

from dataclasses import replace

import pytest

from service.matching.catalog import Catalog
from service.matching.embedder import Embedders
from service.matching.explain import reason
from service.matching.hs import HsSuggester
from service.matching.items import (
    Facts,
    ItemDraft,
    Kind,
    ProductDoc,
    ProfileDoc,
    Side,
    TradeDoc,
    fold,
    keyed,
    profile_items,
    trade_item,
)
from service.matching.pipeline import catalog_for, embed, estimate, text_query
from service.matching.ranking import Ranker
from service.matching.requirements import Requirements

TEA_ZH, LAPTOP_EN, BEEF_EN, BUYER = 1, 2, 3, 4


def _supplier(eid: int, name: str, lines: list[str], certs: tuple[str, ...] = ()) -> ProfileDoc:
    products = tuple(ProductDoc(10 * eid + i, line, None, "") for i, line in enumerate(lines))
    facts = Facts(eid, name, "supplier", country="China", certifications=fold(certs))
    return ProfileDoc(facts, products=products)


@pytest.fixture(scope="module")
def ranker(embedders: Embedders, bilingual: HsSuggester) -> Ranker:
    profiles = [
        _supplier(TEA_ZH, "Chongqing Tea Co.", ["绿茶", "乌龙茶"]),
        _supplier(LAPTOP_EN, "Chongqing Laptop Works", ["Laptop computers, 14 inch"], ("CE",)),
        _supplier(BEEF_EN, "Pampa Meats", ["Frozen boneless beef cuts"]),
        ProfileDoc(Facts(BUYER, "Berlin Foods", "buyer", country="Germany"), "Food importer"),
    ]
    drafts: list[ItemDraft] = [d for p in profiles for d in profile_items(p)]
    # a buyer's offer: the supply side has it, but a buyer is never offered as a supplier
    drafts.append(trade_item(TradeDoc(9, BUYER, Kind.offer, "Surplus green tea, 2 t")))
    vectors = embed(embedders, [d.text for d in drafts])
    items = [keyed(d, k) for k, d in enumerate(estimate(drafts, vectors, bilingual))]
    catalog: Catalog = catalog_for(embedders)
    catalog.load([p.facts for p in profiles], items, vectors.primary, vectors.multilingual)
    return Ranker(catalog)


def test_items_without_codes_are_classified_in_their_own_language(ranker: Ranker) -> None:
    tea = ranker.catalog.owned(TEA_ZH, (Kind.product,))[0]
    assert tea.hs_code is None and tea.headings[0][0] == "0902"
    beef = ranker.catalog.owned(BEEF_EN, (Kind.product,))[0]
    assert beef.headings[0][0] == "0202"
    assert sum(p for _, p in tea.headings) <= 1.0


def test_a_chinese_supplier_without_codes_is_found_by_an_english_query_through_its_heading(
    ranker: Ranker, embedders: Embedders, bilingual: HsSuggester
) -> None:
    query = text_query(
        "green tea for our supermarkets", Side.supply, embedders, bilingual, ranker.catalog
    )
    assert query.multilingual is not None  # the catalogue holds Chinese items
    ranking = ranker.search([query], Side.supply, Requirements())
    best = ranking.matches[0]
    assert best.enterprise_id == TEA_ZH
    assert best.evidence.heading == "0902" and best.evidence.across
    assert BUYER not in [m.enterprise_id for m in ranking.matches]
    text = reason(best, ranker.catalog.facts[TEA_ZH], bilingual.nomenclature.describe)
    assert "“绿茶”" in text  # quoted as written
    assert "both classified as HS 0902 (Tea)" in text
    assert f"{best.evidence.heading_share:.2f} confident" in text


def test_an_english_supplier_is_found_by_a_chinese_query(
    ranker: Ranker, embedders: Embedders, bilingual: HsSuggester
) -> None:
    query = text_query("冷冻牛肉", Side.supply, embedders, bilingual, ranker.catalog)
    matches = ranker.rank([query], Side.supply, Requirements())
    assert matches[0].enterprise_id == BEEF_EN
    assert matches[0].evidence.heading == "0202"


def test_weak_matches_are_shown_and_marked_rather_than_dropped(
    ranker: Ranker, embedders: Embedders, bilingual: HsSuggester
) -> None:
    query = text_query(
        "steam boilers for a power plant", Side.supply, embedders, bilingual, ranker.catalog
    )
    matches = ranker.rank([query], Side.supply, Requirements())
    assert {m.enterprise_id for m in matches} == {TEA_ZH, LAPTOP_EN, BEEF_EN}
    assert all(m.weak for m in matches)
    assert "a weak match" in reason(matches[0], ranker.catalog.facts[matches[0].enterprise_id])


def test_an_answer_emptied_by_a_hard_filter_says_which_and_offers_the_closest(
    ranker: Ranker, embedders: Embedders, bilingual: HsSuggester
) -> None:
    query = text_query("green tea", Side.supply, embedders, bilingual, ranker.catalog)
    ranking = ranker.search([query], Side.supply, Requirements(certifications=fold(["Halal"])))
    assert ranking.matches == []
    assert ranking.removed == {"certification": 3}
    assert ranking.closest[0].enterprise_id == TEA_ZH
    assert [c.ok for c in ranking.closest[0].checks] == [False]


def test_a_free_texts_heading_estimate_computed_beside_ranks_as_one_computed_first(
    ranker: Ranker, embedders: Embedders, bilingual: HsSuggester
) -> None:
    for text in ["green tea for our supermarkets", "冷冻牛肉", "14 inch business laptops"]:
        query = text_query(text, Side.supply, embedders, bilingual, ranker.catalog)
        vectors = embedders.encode([text])
        assert query.estimate() == bilingual.estimate(text, vectors, query=True)
        settled = replace(query, headings=query.estimate())
        ranked = ranker.rank([query], Side.supply, Requirements())
        first = ranker.rank([settled], Side.supply, Requirements())
        assert [(m.enterprise_id, m.score) for m in ranked] == [
            (m.enterprise_id, m.score) for m in first
        ]
        assert ranked[0].evidence.heading  # the estimate reached the ranking
