"""HS code suggestions over HTTP, and confirmations that the suggester learns at once."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from tests.api.factories import GERMAN_BUYER, register
from tests.conftest import SQLITE_ONLY


def test_suggestions_are_explained_headings(client: TestClient) -> None:
    response = client.get("/hs/suggest", params={"text": "spicy hotpot seasoning base", "limit": 5})
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 5
    assert "2103" in [i["code"] for i in items]
    top = items[0]
    assert top["description"] and top["reason"]
    assert set(top["components"]) == {"dense", "lexical", "examples"}
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_subheading_level_gives_six_digits(client: TestClient) -> None:
    items = client.get(
        "/hs/suggest",
        params={"text": "rechargeable lithium-ion battery packs", "level": "subheading"},
    ).json()["items"]
    assert all(len(i["code"]) == 6 for i in items)
    assert "850760" in [i["code"] for i in items]


def test_bad_suggestion_requests_name_the_parameter(client: TestClient) -> None:
    cases: list[dict[str, str | int]] = [
        {"text": "x"},
        {"text": "tea", "level": "chapter"},
        {"text": "tea", "limit": 0},
    ]
    for params in cases:
        response = client.get("/hs/suggest", params=params)
        assert response.status_code == 422
        assert next(iter(params.keys() - {"text"}), "text") in str(response.json())


@pytest.fixture
def learning_client(settings: Settings, embedder: Embedder) -> Iterator[TestClient]:
    """An app with its own HS suggester, so what it learns stays out of other tests."""
    with TestClient(create_app(settings, embedder=embedder)) as client:
        yield client


def test_a_confirmation_is_learned_at_once_and_survives_a_restart(
    learning_client: TestClient, settings: Settings, embedder: Embedder, admin: dict[str, str]
) -> None:
    cryptic = "zq-77 hub drv 36v rr"
    body = {"text": cryptic, "code": "8501.31"}
    assert learning_client.post("/hs/confirmations", json=body).status_code == 401
    unknown = learning_client.post(
        "/hs/confirmations", json={**body, "code": "0199"}, headers=admin
    )
    assert unknown.status_code == 422  # a payload rule: 422, like pydantic's
    assert "0199" in unknown.json()["detail"]
    malformed = learning_client.post(
        "/hs/confirmations", json={**body, "code": "85x"}, headers=admin
    )
    assert malformed.status_code == 422
    created = learning_client.post("/hs/confirmations", json=body, headers=admin)
    assert created.status_code == 201
    assert created.json()["code"] == "850131"
    top = learning_client.get("/hs/suggest", params={"text": cryptic}).json()["items"][0]
    assert top["code"] == "8501"
    assert top["similar_examples"][0]["text"] == cryptic
    with TestClient(create_app(settings, embedder=embedder)) as restarted:
        again = restarted.get("/hs/suggest", params={"text": cryptic}).json()["items"][0]
        assert again["code"] == "8501"


def _suggest(client: TestClient, text: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/hs/suggest", params={"text": text}).json()["items"]
    assert all(0 <= i["score"] <= 1 for i in items), items
    return items


@SQLITE_ONLY
def test_one_key_repeating_a_confirmation_cannot_poison_a_suggestion(
    learning_client: TestClient,
) -> None:
    _, auth = register(learning_client, **GERMAN_BUYER)
    body = {"text": "hotpot seasoning", "code": "870530"}
    replies = [
        learning_client.post("/hs/confirmations", json=body, headers=auth) for _ in range(25)
    ]
    assert [r.status_code for r in replies] == [201] + [200] * 24  # one row, returned again
    assert {r.json()["id"] for r in replies} == {replies[0].json()["id"]}
    items = _suggest(learning_client, "hotpot seasoning")
    assert items[0]["code"] == "2103", [(i["code"], i["score"], i["components"]) for i in items]


@SQLITE_ONLY
def test_many_self_registered_keys_confirming_variants_count_as_one_weak_voice(
    learning_client: TestClient,
) -> None:
    before = {i["code"]: i for i in _suggest(learning_client, "hotpot seasoning")}
    for n in range(5):
        _, auth = register(learning_client, **{**GERMAN_BUYER, "name": f"Sock puppet {n}"})
        for text in ("hotpot seasoning", f"Hotpot  Seasoning {n}", f"hotpot seasoning base {n}"):
            reply = learning_client.post(
                "/hs/confirmations", json={"text": text, "code": "8705"}, headers=auth
            )
            assert reply.status_code == 201
    after = {i["code"]: i for i in _suggest(learning_client, "hotpot seasoning")}
    assert next(iter(after)) == "2103"
    examples = before["2103"]["components"]["examples"]
    assert after["2103"]["components"]["examples"] == pytest.approx(examples, abs=0.01)
    if "8705" in after:  # a weak voice: at most the unverified weight x similarity 1
        assert after["8705"]["components"]["examples"] <= 0.2 + 1e-6


@SQLITE_ONLY
def test_the_organizers_confirmation_counts_in_full(
    learning_client: TestClient, admin: dict[str, str]
) -> None:
    cryptic = "zq-77 hub drv 36v rr"
    _, auth = register(learning_client, **GERMAN_BUYER)
    weak = learning_client.post(
        "/hs/confirmations", json={"text": cryptic, "code": "8501.31"}, headers=auth
    )
    assert weak.status_code == 201 and weak.json()["enterprise_id"] is not None
    voiced = {i["code"]: i for i in _suggest(learning_client, cryptic)}
    assert voiced.get("8501", {"components": {"examples": 0}})["components"]["examples"] <= 0.2
    full = learning_client.post(
        "/hs/confirmations", json={"text": cryptic, "code": "8501.31"}, headers=admin
    )
    assert full.status_code == 201 and full.json()["enterprise_id"] is None
    top = _suggest(learning_client, cryptic)[0]
    # weight 1 x (similarity 1 less the small margin floor), beside the weak voice's <= 0.2
    assert top["code"] == "8501" and top["components"]["examples"] >= 0.95
