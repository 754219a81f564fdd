"""Ranking behaviour on a small catalog embedded with the real model."""

import numpy as np
import pytest

from service.matching.candidates import Query
from service.matching.catalog import Catalog
from service.matching.embedder import Embedder
from service.matching.explain import reason
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
from service.matching.ranking import Ranker
from service.matching.requirements import Requirements
from service.matching.weights import Weights, fit, fuse

BUYER, NEAR, FAR, PAPER = 1, 2, 3, 4


def _supplier(eid: int, name: str, markets: list[str], certs: list[str]) -> ProfileDoc:
    facts = Facts(
        eid,
        name,
        "supplier",
        country="Argentina",
        export_markets=fold(markets),
        certifications=fold(certs),
        years_exporting=8,
    )
    beef = ProductDoc(10 * eid, "Frozen boneless beef cuts", "020230", "Vacuum-packed, -18 °C")
    return ProfileDoc(facts, "Meat packer and exporter", products=(beef,))


@pytest.fixture(scope="module")
def ranker(embedder: Embedder) -> Ranker:
    buyer = ProfileDoc(Facts(BUYER, "Berlin Foods", "buyer", country="Germany"), "Food importer")
    profiles = [
        buyer,
        _supplier(NEAR, "Pampa Meats", ["Germany", "Netherlands"], ["Halal"]),
        _supplier(FAR, "Andes Beef", ["Japan"], ["Halal", "ISO 22000"]),
        ProfileDoc(
            Facts(PAPER, "Paper Mill", "supplier", country="Finland"),
            products=(ProductDoc(40, "Kraft paper rolls", "480411", ""),),
        ),
    ]
    drafts: list[ItemDraft] = [d for p in profiles for d in profile_items(p)]
    need = TradeDoc(7, BUYER, Kind.need, "Frozen beef for our restaurants", quantity=20, unit="t")
    drafts.append(trade_item(need))
    items = [keyed(d, k) for k, d in enumerate(drafts)]
    catalog = Catalog(embedder.dimension)
    catalog.load([p.facts for p in profiles], items, embedder.encode([i.text for i in items]))
    return Ranker(catalog)


def test_supplier_that_does_not_serve_the_buyers_market_ranks_below_one_that_does(
    ranker: Ranker,
) -> None:
    matches = ranker.reciprocal(BUYER)
    order = [m.enterprise_id for m in matches]
    assert order.index(NEAR) < order.index(FAR)
    near, far = matches[order.index(NEAR)], matches[order.index(FAR)]
    # both sell the same product: the forward fit is equal, only the backward one differs
    assert near.components["forward"] == pytest.approx(far.components["forward"], abs=1e-4)
    assert near.components["backward"] > far.components["backward"]
    assert [c.ok for c in far.checks if c.name == "export_market"] == [False]


def test_explanation_names_matched_product_and_met_and_missing_requirements(
    ranker: Ranker,
) -> None:
    need = ranker.catalog.find(Kind.need, 7)
    assert need is not None
    query = Query(ranker.catalog.vector(need), need.text, need.label, need.hs_code)
    req = Requirements(certifications=fold(["Halal", "ISO 22000"]), strict=False)
    matches = ranker.rank([query], Side.supply, req)
    near = next(m for m in matches if m.enterprise_id == NEAR)
    text = reason(near, ranker.catalog.facts[NEAR])
    assert "“Frozen boneless beef cuts”" in text
    assert "meets: certification halal" in text
    assert "missing: certification iso22000" in text
    assert "common terms: frozen, beef" in text
    far = next(m for m in matches if m.enterprise_id == FAR)
    assert far.score > near.score  # it meets both certifications


def test_hard_requirement_filters_out_the_supplier_that_lacks_it(ranker: Ranker) -> None:
    need = ranker.catalog.find(Kind.need, 7)
    assert need is not None
    query = Query(ranker.catalog.vector(need), need.text, need.label)
    matches = ranker.rank([query], Side.supply, Requirements(certifications=fold(["ISO 22000"])))
    assert [m.enterprise_id for m in matches] == [FAR]


def test_shared_hs_heading_earns_credit_even_when_the_words_differ(
    ranker: Ranker, embedder: Embedder
) -> None:
    text = "bovine carcass parts, chilled chain"
    plain = Query(embedder.encode([text])[0], text, text)
    coded = Query(plain.vector, text, text, hs_suggested=True, headings=(("0202", 0.9),))
    before = {m.partner_item.enterprise_id: m for m in ranker.item_scores(plain, Side.supply)}
    after = {m.partner_item.enterprise_id: m for m in ranker.item_scores(coded, Side.supply)}
    near = after[NEAR]  # its product line declares 020230: a near-certain 0202
    assert (near.heading, near.hs_suggested) == ("0202", True)
    assert near.agreement == pytest.approx(0.9 * Weights().hs_declared)
    assert near.fused == pytest.approx(
        float(fit(np.array([near.agreement]), np.array([near.text]), Weights(), bridged=True)[0])
    )
    assert before[NEAR].fused == pytest.approx(before[NEAR].text)  # no estimate: text alone
    assert after[PAPER].heading == "" and after[PAPER].fused < near.fused


def test_fuse_is_the_weighted_sum_of_clipped_cosines() -> None:
    dense = np.array([-0.2, 0.5, 1.0], np.float32)
    lexical = np.array([0.4, 0.0, 1.0], np.float32)
    fused = fuse(dense, lexical, Weights(dense=0.6, lexical=0.4))
    assert fused.tolist() == pytest.approx([0.16, 0.3, 1.0])


def test_an_accepted_match_lifts_that_supplier_for_a_similar_need(embedder: Embedder) -> None:
    """Two suppliers fit equally; once a buyer accepted one of them, a new buyer with a similar
    need sees that one first, and the explanation says why."""
    twins = [
        ProfileDoc(
            Facts(eid, name, "supplier", country="China", export_markets=fold(["Germany"])),
            products=(ProductDoc(10 * eid, "Hotpot seasoning base", "210390", "Beef tallow"),),
        )
        for eid, name in ((11, "Red Pot Foods"), (12, "Spicy Pot Foods"))
    ]
    first = ProfileDoc(Facts(21, "Rhein Asia", "buyer", country="Germany"), "Importer")
    drafts = [d for p in [*twins, first] for d in profile_items(p)]
    drafts.append(trade_item(TradeDoc(5, 21, Kind.need, "Sichuan hotpot base, 20 t for Berlin")))
    items = [keyed(d, k) for k, d in enumerate(drafts)]
    catalog = Catalog(embedder.dimension)
    facts = [p.facts for p in [*twins, first]]
    catalog.load(facts, items, embedder.encode([i.text for i in items]))
    ranker = Ranker(catalog)
    text = "Hotpot soup base from Sichuan, 15 t"
    query = Query(embedder.encode([text])[0], text, text)

    before = ranker.rank([query], Side.supply, Requirements())
    assert [m.enterprise_id for m in before] == [11, 12]  # a tie, broken by id
    assert before[0].score == pytest.approx(before[1].score)

    ranker.learn_match(buyer_id=21, supplier_id=12)
    after = ranker.rank([query], Side.supply, Requirements())
    assert [m.enterprise_id for m in after] == [12, 11]
    assert after[0].components["learned"] > 0 == after[1].components["learned"]
    assert after[0].learned_from == ("Sichuan hotpot base, 20 t for Berlin",)
    assert "accepted meetings with them" in reason(after[0], catalog.facts[12])
