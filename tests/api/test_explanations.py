"""Explanations quote what matched: never a placeholder for a profile's "looking for" text."""

from fastapi.testclient import TestClient

from service.matching.items import Facts, ProfileDoc, profile_items
from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, register
from tests.conftest import SQLITE_ONLY


def test_looking_for_items_are_labelled_with_their_own_words() -> None:
    wants = "Chinese condiments, hotpot seasoning and instant noodles for German supermarkets " * 3
    for role in ("buyer", "supplier"):
        doc = ProfileDoc(Facts(1, "Rheinland", role), looking_for=wants)
        [item] = [i for i in profile_items(doc) if i.kind in ("wants", "seeks")]
        assert item.label.startswith("Chinese condiments, hotpot seasoning")
        assert len(item.label) <= 81 and item.label.endswith("…")


@SQLITE_ONLY
def test_recommendations_quote_the_matched_looking_for_text(client: TestClient) -> None:
    supplier, _ = register(client, **HOTPOT_MAKER)
    buyer, _ = register(client, **GERMAN_BUYER)
    reasons = [
        item["reason"]
        for e in (supplier, buyer)
        for item in client.get(f"/enterprises/{e['id']}/recommendations").json()["items"]
    ]
    assert reasons
    assert not [r for r in reasons if "“looking for”" in r]
    assert any("“Chinese condiments, hotpot seasoning and instant noodles”" in r for r in reasons)
