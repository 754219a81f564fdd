"""Ranking sanity on the shipped demo fair: the right sectors come first, filters hold."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import sells, sells_only


def _needs(client: TestClient, word: str) -> list[dict[str, Any]]:
    needs = client.get("/needs", params={"status": "open", "limit": 200}).json()["items"]
    return [n for n in needs if word in n["title"].lower()]


CONDIMENTS = ("2103", "2106")
LAPTOPS = ("8471",)


def _kind(partner: dict[str, Any]) -> str:
    """A condiment maker sells hotpot bases or sauces; a laptop maker sells only computers."""
    if sells(partner, CONDIMENTS):
        return "condiment"
    return "laptop" if sells_only(partner, LAPTOPS) else "other"


def test_demo_has_the_promised_size(demo: TestClient) -> None:
    assert demo.get("/enterprises").json()["total"] >= 300
    assert demo.get("/needs").json()["total"] + demo.get("/offers").json()["total"] >= 150


def test_hotpot_need_ranks_condiment_makers_above_laptop_makers(demo: TestClient) -> None:
    hotpot_needs = _needs(demo, "hotpot")
    assert len(hotpot_needs) >= 5
    for need in hotpot_needs:
        items = demo.get(
            f"/needs/{need['id']}/recommendations", params={"limit": 50, "strict": False}
        ).json()["items"]
        sectors = [_kind(i["partner"]) for i in items]
        assert sectors[:3] == ["condiment"] * 3, need["title"]
        if "laptop" in sectors:
            assert max(i for i, s in enumerate(sectors) if s == "condiment") < sectors.index(
                "laptop"
            )


def test_ce_motor_need_returns_only_ce_certified_suppliers(demo: TestClient) -> None:
    needs = [n for n in _needs(demo, "motor") if "CE" in n["required_certifications"]]
    assert needs
    for need in needs:
        items = demo.get(f"/needs/{need['id']}/recommendations").json()["items"]
        assert items, need["title"]
        for item in items:
            held = {c.lower().replace(" ", "") for c in item["partner"]["certifications"]}
            assert {c.lower().replace(" ", "") for c in need["required_certifications"]} <= held
            assert all(r["met"] for r in item["requirements"] if r["hard"])
        assert sells(items[0]["partner"], ("8501", "8714"))


def test_supplier_search_with_filters_explains_each_result(demo: TestClient) -> None:
    params: dict[str, Any] = {
        "q": "e-bike hub motor",
        "certification": "CE",
        "hs": "8501",
        "limit": 20,
    }
    items = demo.get("/search/suppliers", params=params).json()["items"]
    assert items
    for item in items:
        assert "CE" in item["partner"]["certifications"]
        assert sells(item["partner"], ("8501",))
        assert "meets: " in item["reason"] and "certification ce" in item["reason"]
        assert 0 <= item["score"] <= 1
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_partners_for_a_buyer_are_suppliers_of_what_it_wants(demo: TestClient) -> None:
    need = _needs(demo, "hotpot")[0]
    items = demo.get(f"/enterprises/{need['buyer_id']}/recommendations").json()["items"]
    assert items
    assert all(i["partner"]["role"] in ("supplier", "both") for i in items)
    assert {"forward", "backward"} <= set(items[0]["components"])
