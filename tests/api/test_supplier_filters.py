"""The 'has exported' and 'verified' supplier filters, on both backends (PostgreSQL applies them
in SQL), through the JSON search and the search page alike."""

from fastapi.testclient import TestClient

from tests.api.factories import HOTPOT_MAKER, register

NEW_MAKER = {
    **HOTPOT_MAKER,
    "name": "Nanan New Flavour Workshop",
    "export_markets": [],
    "years_exporting": 0,
    "contact_email": "",
}


def _found(client: TestClient, **filters: str) -> list[str]:
    params = {"q": "spicy hotpot seasoning base", **filters}
    body = client.get("/search/suppliers", params=params).json()
    return sorted(i["partner"]["name"] for i in body["items"])


def test_has_exported_and_verified_keep_only_suppliers_that_meet_them(
    client: TestClient, admin: dict[str, str]
) -> None:
    exporter, _ = register(client, **HOTPOT_MAKER)
    newcomer, _ = register(client, **NEW_MAKER)
    verified = client.put(
        f"/enterprises/{newcomer['id']}/verified", json={"verified": True}, headers=admin
    )
    assert verified.status_code == 200

    assert _found(client) == sorted([exporter["name"], newcomer["name"]])
    assert _found(client, has_exported="true") == [exporter["name"]]
    assert _found(client, verified="true") == [newcomer["name"]]
    assert _found(client, has_exported="true", verified="true") == []
    checks = client.get(
        "/search/suppliers", params={"q": "hotpot base", "has_exported": "true"}
    ).json()["items"][0]["requirements"]
    assert {k: checks[0][k] for k in ("requirement", "met", "hard")} == {
        "requirement": "has_exported",
        "met": True,
        "hard": True,
    }

    page = client.get("/find", params={"q": "hotpot base", "verified": "1"}).text
    listed, _, closest = page.partition('id="closest-title"')  # a thin answer: the closest too
    assert newcomer["name"] in listed and exporter["name"] not in listed
    assert exporter["name"] in closest and "Verified (verified by the organizer)" in closest
    assert 'name="verified" value="1" checked' in page
    empty = client.get("/find", params={"q": "hotpot base", "verified": "1", "has_exported": "1"})
    assert "Search again without “has exported”" in empty.text
