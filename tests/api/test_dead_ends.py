"""No dead ends (issue 12, item 4): an answer that hard filters emptied or thinned says which
requirement removed how many candidates and offers the closest partners it removed, each
saying what it misses; buyers are never offered as suppliers. Both backends (PostgreSQL
filters in SQL and ranks again unfiltered to tell)."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.factories import (
    GLASS_MAKER,
    HOTPOT_MAKER,
    JAR_IMPORTER,
    post_need,
    register,
)

FDA_GLASS_MAKER = {**GLASS_MAKER, "name": "Jiangjin FDA Glass Co.", "certifications": ["FDA"]}


def _fda_need(client: TestClient) -> tuple[str, dict[str, str], set[int], set[int]]:
    """The importer's FDA glass-jar need (its recommendations' URL and key), the makers (none
    holds FDA) and every buyer, one of which needs glass jars too."""
    importer, key = register(client, **JAR_IMPORTER)
    other, other_key = register(client, **{**JAR_IMPORTER, "name": "Lakeside Jar Traders"})
    post_need(client, other_key, buyer_id=other["id"], title="Glass jars and bottles")
    glass, _ = register(client, **GLASS_MAKER)
    chili, _ = register(client, **HOTPOT_MAKER)
    need = post_need(
        client,
        key,
        buyer_id=importer["id"],
        title="Glass jars for chili sauce",
        required_certifications=["FDA"],
    )
    url = f"/needs/{need['id']}/recommendations"
    return url, key, {glass["id"], chili["id"]}, {importer["id"], other["id"]}


def _failed(recommendation: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (c["requirement"], c["detail"])
        for c in recommendation["requirements"]
        if c["hard"] and not c["met"]
    ]


def test_a_need_its_filters_empty_names_the_filter_and_offers_the_closest_makers(
    client: TestClient,
) -> None:
    url, key, makers, buyers = _fda_need(client)
    body = client.get(url, headers=key).json()
    assert body["items"] == []
    assert body["filters"] == {
        "removed": {"certification": 2},
        "note": "No partner passed the filters: certification removed 2 candidates.",
    }
    closest = [r["partner"]["id"] for r in body["closest"]]
    assert set(closest) == makers  # the two makers, never a buyer
    assert body["closest"][0]["partner"]["name"] == GLASS_MAKER["name"]  # the jar maker first
    assert all(_failed(r) == [("certification", "certification fda")] for r in body["closest"])
    assert "Glass jars with metal lids" in body["closest"][0]["reason"]  # explained as items are

    search = client.get("/search/suppliers", params={"q": "glass jars", "certification": "FDA"})
    assert search.json()["items"] == []
    assert search.json()["filters"]["removed"] == {"certification": 2}
    assert {r["partner"]["id"] for r in search.json()["closest"]} == makers
    assert not buyers & set(closest)


def test_relaxed_the_need_lists_makers_only_and_nothing_is_left_to_explain(
    client: TestClient,
) -> None:
    url, key, makers, buyers = _fda_need(client)
    relaxed = client.get(url, params={"strict": "false"}, headers=key).json()
    found = [r["partner"]["id"] for r in relaxed["items"]]
    assert set(found) == makers and not buyers & set(found)
    assert relaxed["items"][0]["partner"]["name"] == GLASS_MAKER["name"]
    assert relaxed["closest"] == [] and relaxed["filters"] == {"removed": {}, "note": ""}


def test_a_thin_answer_says_what_was_removed_and_a_full_one_does_not(client: TestClient) -> None:
    fda, _ = register(client, **FDA_GLASS_MAKER)
    glass, _ = register(client, **GLASS_MAKER)
    register(client, **HOTPOT_MAKER)
    register(client, **JAR_IMPORTER)
    params = {"q": "glass jars", "certification": "FDA"}
    thin = client.get("/search/suppliers", params=params).json()
    assert [r["partner"]["id"] for r in thin["items"]] == [fda["id"]]
    assert thin["filters"]["note"] == (
        "Only 1 partner passed the filters: certification removed 2 candidates."
    )
    assert thin["closest"][0]["partner"]["id"] == glass["id"]
    assert _failed(thin["closest"][0]) == [("certification", "certification fda")]
    full = client.get("/search/suppliers", params={**params, "limit": 1}).json()
    assert [r["partner"]["id"] for r in full["items"]] == [fda["id"]]
    assert full["closest"] == [] and full["filters"]["note"] == ""


def test_openapi_documents_the_closest_partners(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    closest = schemas["RecommendationList"]["properties"]["closest"]
    assert closest["items"] == {"$ref": "#/components/schemas/Recommendation"}
    assert "thin" in closest["description"]
    assert (
        "which requirement removed" in schemas["FilterReport"]["properties"]["note"]["description"]
    )
