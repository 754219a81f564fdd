"""Bad input gets a clear 4xx naming the field, and nothing is half-written."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.factories import GERMAN_BUYER, register


def _fields(response: Any) -> set[str]:
    return {".".join(str(p) for p in e["loc"][1:]) for e in response.json()["detail"]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "", "role": "buyer"}, "name"),
        ({"name": "   ", "role": "buyer"}, "name"),
        ({"name": "A", "role": "retailer"}, "role"),
        ({"name": "A" * 201, "role": "buyer"}, "name"),
        ({"name": "A", "role": "buyer", "description": "x" * 4001}, "description"),
        ({"name": "A", "role": "buyer", "certifications": ["x"] * 51}, "certifications"),
        ({"name": "A", "role": "buyer", "years_exporting": "many"}, "years_exporting"),
        ({"name": "A", "role": "buyer", "annual_capacity": -5}, "annual_capacity"),
        (
            {"name": "A", "role": "supplier", "product_lines": [{"name": "x", "hs_code": "12345"}]},
            "product_lines.0.hs_code",
        ),
    ],
)
def test_invalid_enterprise_is_rejected_naming_the_field(
    client: TestClient, payload: dict[str, Any], field: str
) -> None:
    response = client.post("/enterprises", json=payload)
    assert response.status_code == 422
    assert field in _fields(response)
    assert client.get("/enterprises").json()["total"] == 0


def test_unknown_ids_are_404_with_a_message(client: TestClient) -> None:
    for url in (
        "/enterprises/999",
        "/needs/999",
        "/offers/999",
        "/needs/999/recommendations",
        "/enterprises/999/recommendations",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "999 does not exist" in response.json()["detail"]


def test_need_for_unknown_buyer_names_it(client: TestClient) -> None:
    response = client.post(
        "/needs", json={"buyer_id": 4242, "title": "x"}, headers={"X-API-Key": "organizer-secret"}
    )
    assert response.status_code == 404
    assert "enterprise 4242" in response.json()["detail"]


def test_oversize_batch_is_refused_whole(client: TestClient, admin: dict[str, str]) -> None:
    rows = [{"name": f"E{i}", "role": "buyer"} for i in range(1001)]
    response = client.post("/enterprises/bulk", json=rows, headers=admin)
    assert response.status_code == 422
    assert "at most 1000 rows" in response.json()["detail"]
    assert client.get("/enterprises").json()["total"] == 0


def test_invalid_row_in_a_batch_writes_nothing(client: TestClient, admin: dict[str, str]) -> None:
    rows = [{"name": "Good", "role": "buyer"}, {"name": "Bad", "role": "buyer", "moq": "lots"}]
    response = client.post("/enterprises/bulk", json=rows, headers=admin)
    assert response.status_code == 422
    assert "1.moq" in _fields(response)
    assert client.get("/enterprises").json()["total"] == 0


def test_search_parameters_are_validated(client: TestClient) -> None:
    assert client.get("/search/suppliers", params={"q": "x"}).status_code == 422
    assert client.get("/search/suppliers", params={"q": "tea", "hs": "9x"}).status_code == 422
    assert client.get("/search/suppliers", params={"q": "tea", "limit": 0}).status_code == 422
    assert client.get("/search/suppliers", params={"q": "t" * 501}).status_code == 422


def test_null_for_a_required_field_is_refused(client: TestClient) -> None:
    buyer, auth = register(client, **GERMAN_BUYER)
    response = client.patch(f"/enterprises/{buyer['id']}", json={"name": None}, headers=auth)
    assert response.status_code == 422
    assert "name" in str(response.json())
