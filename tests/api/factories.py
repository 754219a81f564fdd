"""Keyword-only factories that go through the real API."""

from typing import Any

from fastapi.testclient import TestClient


def register(client: TestClient, **fields: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Register an enterprise (name and role default); return its private profile and key header."""
    response = client.post(
        "/enterprises", json={"name": "Acme Trading", "role": "supplier", **fields}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["enterprise"], {"X-API-Key": body["api_key"]}


def post_need(
    client: TestClient, auth: dict[str, str], *, buyer_id: int, title: str, **fields: Any
) -> dict[str, Any]:
    return _post(client, auth, "/needs", {"buyer_id": buyer_id, "title": title, **fields})


def post_offer(
    client: TestClient, auth: dict[str, str], *, supplier_id: int, title: str, **fields: Any
) -> dict[str, Any]:
    return _post(client, auth, "/offers", {"supplier_id": supplier_id, "title": title, **fields})


def _post(
    client: TestClient, auth: dict[str, str], url: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = client.post(url, json=body, headers=auth)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


HOTPOT_MAKER: dict[str, Any] = {
    "name": "Yuzhong Red Pot Condiment Co.",
    "role": "supplier",
    "description": "Chongqing maker of beef-tallow hotpot base and chili oil.",
    "country": "China",
    "region": "Chongqing",
    "certifications": ["ISO 22000", "HACCP"],
    "export_markets": ["Germany", "Malaysia"],
    "years_exporting": 8,
    "annual_capacity": 12000,
    "capacity_unit": "t",
    "moq": 2,
    "product_lines": [
        {
            "name": "Spicy hotpot seasoning base",
            "hs_code": "2103.90",
            "description": "Beef tallow, chili and Sichuan pepper",
        },
    ],
    "contact_email": "sales@redpot.example.com",
}

LAPTOP_MAKER: dict[str, Any] = {
    "name": "Xiyong Bright Compute Ltd.",
    "role": "supplier",
    "description": "Contract manufacturer of notebook computers.",
    "country": "China",
    "region": "Chongqing",
    "certifications": ["CE", "FCC"],
    "export_markets": ["Poland", "Brazil"],
    "years_exporting": 5,
    "product_lines": [
        {"name": "14-inch business laptop", "hs_code": "8471.30", "description": "Intel i5, 16 GB"}
    ],
}

GERMAN_BUYER: dict[str, Any] = {
    "name": "Rheinland Asia Foods GmbH",
    "role": "buyer",
    "description": "Importer supplying Asian supermarkets in Germany.",
    "country": "Germany",
    "looking_for": "Chinese condiments, hotpot seasoning and instant noodles",
    "channels": ["supermarket", "wholesale"],
    "contact_email": "buy@rheinland.example.com",
}
