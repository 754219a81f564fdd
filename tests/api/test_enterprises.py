"""Enterprise CRUD, pagination, privacy of contact details, and who may change what."""

from fastapi.testclient import TestClient

from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, LAPTOP_MAKER, register


def test_register_returns_key_and_private_profile(client: TestClient) -> None:
    profile, auth = register(client, **HOTPOT_MAKER)
    assert auth["X-API-Key"].startswith("mf_")
    assert profile["contact_email"] == "sales@redpot.example.com"
    assert profile["product_lines"][0]["hs_code"] == "210390"  # normalised


def test_public_read_hides_contact_details_owner_and_admin_see_them(
    client: TestClient, admin: dict[str, str]
) -> None:
    profile, auth = register(client, **HOTPOT_MAKER)
    _, stranger = register(client, **GERMAN_BUYER)
    url = f"/enterprises/{profile['id']}"
    assert "contact_email" not in client.get(url).json()
    assert "contact_email" not in client.get(url, headers=stranger).json()
    assert client.get(url, headers=auth).json()["contact_email"] == "sales@redpot.example.com"
    assert client.get(url, headers=admin).json()["contact_email"] == "sales@redpot.example.com"


def test_update_needs_the_owners_key(client: TestClient, admin: dict[str, str]) -> None:
    profile, auth = register(client, **HOTPOT_MAKER)
    _, other = register(client, **LAPTOP_MAKER)
    url = f"/enterprises/{profile['id']}"
    missing = client.patch(url, json={"city": "Fuling"})
    assert missing.status_code == 401
    assert "X-API-Key" in missing.json()["detail"]
    assert client.patch(url, json={"city": "Fuling"}, headers=other).status_code == 403
    assert (
        client.patch(url, json={"city": "Fuling"}, headers={"X-API-Key": "mf_wrong"}).status_code
        == 401
    )
    assert client.patch(url, json={"city": "Fuling"}, headers=auth).json()["city"] == "Fuling"
    assert client.patch(url, json={"city": "Wanzhou"}, headers=admin).json()["city"] == "Wanzhou"


def test_only_the_organizer_verifies(client: TestClient, admin: dict[str, str]) -> None:
    profile, auth = register(client, **HOTPOT_MAKER)
    url = f"/enterprises/{profile['id']}/verified"
    assert client.put(url, json={"verified": True}, headers=auth).status_code == 403
    assert client.put(url, json={"verified": True}, headers=admin).json()["verified"] is True


def test_list_filters_sorts_and_paginates(client: TestClient) -> None:
    for i in range(5):
        register(client, **{**LAPTOP_MAKER, "name": f"Maker {i}"})
    register(client, **GERMAN_BUYER)
    page = client.get(
        "/enterprises", params={"role": "supplier", "sort": "-name", "limit": 2, "offset": 1}
    ).json()
    assert page["total"] == 5
    assert [e["name"] for e in page["items"]] == ["Maker 3", "Maker 2"]
    assert "contact_email" not in page["items"][0]
    germans = client.get("/enterprises", params={"country": "germany"}).json()
    assert [e["name"] for e in germans["items"]] == [GERMAN_BUYER["name"]]


def test_product_lines_are_replaced_and_reindexed(client: TestClient) -> None:
    profile, auth = register(client, **LAPTOP_MAKER)
    lines = [{"name": "Chongqing hotpot seasoning", "hs_code": "2103"}]
    updated = client.patch(
        f"/enterprises/{profile['id']}", json={"product_lines": lines}, headers=auth
    ).json()
    assert [p["name"] for p in updated["product_lines"]] == ["Chongqing hotpot seasoning"]
    found = client.get("/search/suppliers", params={"q": "hotpot seasoning"}).json()["items"]
    assert found[0]["partner"]["id"] == profile["id"]
    assert found[0]["matched"]["label"] == "Chongqing hotpot seasoning"


def test_delete_removes_profile_and_its_matches(client: TestClient) -> None:
    profile, auth = register(client, **HOTPOT_MAKER)
    assert client.delete(f"/enterprises/{profile['id']}", headers=auth).status_code == 204
    assert client.get(f"/enterprises/{profile['id']}").status_code == 404
    assert client.get("/search/suppliers", params={"q": "hotpot seasoning"}).json()["items"] == []


def test_bulk_registration_is_admin_only_and_all_or_nothing(
    client: TestClient, admin: dict[str, str]
) -> None:
    rows = [{**LAPTOP_MAKER, "name": f"Bulk {i}", "external_id": f"x-{i}"} for i in range(3)]
    assert client.post("/enterprises/bulk", json=rows).status_code == 401
    created = client.post("/enterprises/bulk", json=rows, headers=admin)
    assert created.status_code == 201
    assert len({r["api_key"] for r in created.json()}) == 3
    again = [
        {**LAPTOP_MAKER, "name": "New", "external_id": "x-new"},
        {**LAPTOP_MAKER, "name": "Dup", "external_id": "x-1"},
    ]
    refused = client.post("/enterprises/bulk", json=again, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["rows"] == [
        {"row": 1, "field": "external_id", "detail": "external_id 'x-1' already exists"}
    ]
    assert client.get("/enterprises", params={"name": "New"}).json()["total"] == 0


def test_a_new_key_replaces_the_old_one(client: TestClient, admin: dict[str, str]) -> None:
    profile, old = register(client, **HOTPOT_MAKER)
    _, stranger = register(client, **GERMAN_BUYER)
    url = f"/enterprises/{profile['id']}/api-key"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=stranger).status_code == 403
    issued = client.post(url, headers=admin)  # the organizer hands keys to imported enterprises
    assert issued.status_code == 200
    new = {"X-API-Key": issued.json()["api_key"]}
    assert issued.json()["enterprise_id"] == profile["id"]
    assert (
        client.patch(
            f"/enterprises/{profile['id']}", json={"city": "Fuling"}, headers=old
        ).status_code
        == 401
    )
    assert (
        client.patch(
            f"/enterprises/{profile['id']}", json={"city": "Fuling"}, headers=new
        ).status_code
        == 200
    )
