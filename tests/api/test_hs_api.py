"""HS code suggestions over HTTP, and confirmations that the suggester learns at once."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from tests.api.factories import GERMAN_BUYER, register


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
    learning_client: TestClient, settings: Settings, embedder: Embedder
) -> None:
    cryptic = "zq-77 hub drv 36v rr"
    _, auth = register(learning_client, **GERMAN_BUYER)
    body = {"text": cryptic, "code": "8501.31"}
    assert learning_client.post("/hs/confirmations", json=body).status_code == 401
    unknown = learning_client.post("/hs/confirmations", json={**body, "code": "0199"}, headers=auth)
    assert unknown.status_code == 422  # a payload rule: 422, like pydantic's
    assert "0199" in unknown.json()["detail"]
    malformed = learning_client.post(
        "/hs/confirmations", json={**body, "code": "85x"}, headers=auth
    )
    assert malformed.status_code == 422
    created = learning_client.post("/hs/confirmations", json=body, headers=auth)
    assert created.status_code == 201
    assert created.json()["code"] == "850131"
    top = learning_client.get("/hs/suggest", params={"text": cryptic}).json()["items"][0]
    assert top["code"] == "8501"
    assert top["similar_examples"][0]["text"] == cryptic
    with TestClient(create_app(settings, embedder=embedder)) as restarted:
        again = restarted.get("/hs/suggest", params={"text": cryptic}).json()["items"][0]
        assert again["code"] == "8501"
