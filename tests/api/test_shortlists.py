"""The shortlist JSON route: an enterprise's saved suppliers, by its own key only."""

from fastapi.testclient import TestClient

from tests.api.factories import HOTPOT_MAKER, register


def test_buyer_saves_a_supplier_once_changes_its_note_and_removes_it(client: TestClient) -> None:
    supplier, _ = register(client, **HOTPOT_MAKER)
    buyer, auth = register(client, name="Kaufhaus Rhein", role="buyer")
    url = f"/shortlist/{supplier['id']}"

    first = client.put(url, json={"note": "tallow base"}, headers=auth)
    again = client.put(url, json={"note": "ask for samples"}, headers=auth)

    assert first.status_code == again.status_code == 200
    body = client.get("/shortlist", headers=auth).json()
    assert body["owner_id"] == buyer["id"]
    assert [(i["supplier"]["id"], i["note"]) for i in body["items"]] == [
        (supplier["id"], "ask for samples")
    ]
    assert "contact_email" not in body["items"][0]["supplier"]  # public profile only
    assert client.delete(url, headers=auth).json()["items"] == []
    missing = client.delete(url, headers=auth)
    assert missing.status_code == 404
    assert f"supplier {supplier['id']}" in missing.json()["detail"]


def test_shortlist_needs_an_enterprise_key_and_a_supplier(
    client: TestClient, admin: dict[str, str]
) -> None:
    supplier, supplier_auth = register(client, **HOTPOT_MAKER)
    other_buyer, _ = register(client, name="Other Buyer", role="buyer")
    _, auth = register(client, name="Kaufhaus Rhein", role="buyer")

    assert client.get("/shortlist").status_code == 401
    assert client.put(f"/shortlist/{supplier['id']}", json={}).status_code == 401
    assert client.get("/shortlist", headers=admin).status_code == 403
    buyer_as_supplier = client.put(f"/shortlist/{other_buyer['id']}", json={}, headers=auth)
    assert buyer_as_supplier.status_code == 400
    assert "supplier_id" in buyer_as_supplier.json()["detail"]
    own = client.put(f"/shortlist/{supplier['id']}", json={}, headers=supplier_auth)
    assert own.status_code == 400
    assert client.put("/shortlist/999999", json={}, headers=auth).status_code == 404
    too_long = client.put(f"/shortlist/{supplier['id']}", json={"note": "x" * 501}, headers=auth)
    assert too_long.status_code == 422
