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

# Chongqing suppliers writing Chinese, without HS codes; a buyer that mentions hotpot base
CHINESE_HOTPOT: dict[str, Any] = {
    "name": "重庆山城火锅食品有限公司",
    "role": "supplier",
    "description": "重庆老字号火锅底料生产企业，牛油、清油火锅底料及串串香调料。",  # noqa: RUF001
    "region": "Chongqing",
    "country": "China",
    "product_lines": [{"name": "牛油火锅底料"}, {"name": "麻辣串串香调料"}],
}
CHINESE_TEA: dict[str, Any] = {
    "name": "永川秀芽茶业",
    "role": "supplier",
    "description": "永川茶园自产绿茶和红茶。",
    "region": "Chongqing",
    "country": "China",
    # a customs commodity name, Chinese punctuation and all
    "product_lines": [{"name": "红茶，每件净重不超过3千克"}, {"name": "未发酵绿茶"}],  # noqa: RUF001
}
HOTPOT_BUYER: dict[str, Any] = {
    "name": "Hamburg Asia Markets",
    "role": "buyer",
    "description": "Supermarket chain buying hotpot base and chili oil, 火锅底料.",
    "country": "Germany",
}

# the dead end: an importer's need for FDA glass jars, where no maker holds FDA
GLASS_MAKER: dict[str, Any] = {
    "name": "Bishan Clear Glassworks",
    "role": "supplier",
    "description": "Makes food-grade glass jars and bottles for sauces and pickles.",
    "country": "China",
    "region": "Chongqing",
    "certifications": ["ISO 9001"],
    "export_markets": ["United States"],
    "years_exporting": 4,
    "product_lines": [
        {"name": "Glass jars with metal lids", "hs_code": "7010.90", "description": "200-750 ml"}
    ],
}
JAR_IMPORTER: dict[str, Any] = {
    "name": "Pacific Pantry Imports",
    "role": "buyer",
    "description": "US importer of Asian sauces, buying glass jars and bottles for them.",
    "country": "United States",
    "looking_for": "glass jars, FDA compliant",
}
