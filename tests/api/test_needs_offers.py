"""Needs and offers: CRUD, ownership, recommendations both ways, closing, restart."""

from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester
from tests.api.factories import (
    GERMAN_BUYER,
    HOTPOT_MAKER,
    LAPTOP_MAKER,
    post_need,
    post_offer,
    register,
)


def test_need_lifecycle_and_ownership(client: TestClient) -> None:
    buyer, auth = register(client, **GERMAN_BUYER)
    supplier, supplier_auth = register(client, **HOTPOT_MAKER)
    need = post_need(
        client, auth, buyer_id=buyer["id"], title="Hotpot base, 20 t", quantity=20, unit="t"
    )
    assert client.get(f"/needs/{need['id']}").json()["title"] == "Hotpot base, 20 t"
    foreign = client.post(
        "/needs", json={"buyer_id": buyer["id"], "title": "x"}, headers=supplier_auth
    )
    assert foreign.status_code == 403
    wrong_role = client.post(
        "/needs", json={"buyer_id": supplier["id"], "title": "x"}, headers=supplier_auth
    )
    assert wrong_role.status_code == 400
    assert "buyer_id" in wrong_role.json()["detail"]
    patched = client.patch(f"/needs/{need['id']}", json={"quantity": 40}, headers=auth).json()
    assert patched["quantity"] == 40
    listed = client.get("/needs", params={"buyer_id": buyer["id"]}).json()
    assert listed["total"] == 1
    assert client.delete(f"/needs/{need['id']}", headers=supplier_auth).status_code == 403
    assert client.delete(f"/needs/{need['id']}", headers=auth).status_code == 204
    assert client.get(f"/needs/{need['id']}").status_code == 404


def test_need_recommends_the_condiment_maker_with_reasons(client: TestClient) -> None:
    buyer, auth = register(client, **GERMAN_BUYER)
    maker, _ = register(client, **HOTPOT_MAKER)
    register(client, **LAPTOP_MAKER)
    need = post_need(
        client,
        auth,
        buyer_id=buyer["id"],
        title="Spicy hotpot soup base for supermarkets",
        quantity=20,
        unit="t",
        required_certifications=["HACCP"],
    )
    result = client.get(f"/needs/{need['id']}/recommendations").json()
    assert [r["partner"]["id"] for r in result["items"]] == [
        maker["id"]
    ]  # laptop maker lacks HACCP
    top = result["items"][0]
    assert 0 < top["score"] <= 1
    assert top["matched"] == {
        "kind": "product",
        "label": "Spicy hotpot seasoning base",
        "ref_id": maker["product_lines"][0]["id"],
        "hs_code": "210390",
        "query": "Spicy hotpot soup base for supermarkets",
    }
    assert "Spicy hotpot seasoning base" in top["reason"]
    assert "certification haccp" in top["reason"]
    assert {
        "requirement": "certification",
        "met": True,
        "hard": True,
        "detail": "certification haccp",
    } in top["requirements"]
    assert "contact_email" not in top["partner"]


def test_offer_recommends_buyers_whose_needs_fit(client: TestClient) -> None:
    buyer, auth = register(client, **GERMAN_BUYER)
    maker, maker_auth = register(client, **HOTPOT_MAKER)
    post_need(client, auth, buyer_id=buyer["id"], title="Sichuan hotpot seasoning, 10 t per month")
    offer = post_offer(
        client, maker_auth, supplier_id=maker["id"], title="Beef tallow hotpot base 400 g", moq=1
    )
    items = client.get(f"/offers/{offer['id']}/recommendations").json()["items"]
    assert items[0]["partner"]["id"] == buyer["id"]
    assert items[0]["matched"]["kind"] in ("need", "wants")


def test_closed_need_stops_matching(client: TestClient) -> None:
    buyer, auth = register(client, **GERMAN_BUYER)
    register(client, **HOTPOT_MAKER)
    need = post_need(client, auth, buyer_id=buyer["id"], title="Hotpot base")
    client.patch(f"/needs/{need['id']}", json={"status": "closed"}, headers=auth)
    closed = client.get(f"/needs/{need['id']}/recommendations")
    assert closed.status_code == 400
    assert "closed" in closed.json()["detail"]
    client.patch(f"/needs/{need['id']}", json={"status": "open"}, headers=auth)
    assert client.get(f"/needs/{need['id']}/recommendations").json()["items"]


def test_data_and_vectors_survive_a_restart(
    settings: Settings, embedder: Embedder, suggester: HsSuggester
) -> None:
    with TestClient(create_app(settings, embedder=embedder, suggester=suggester)) as first:
        buyer, auth = register(first, **GERMAN_BUYER)
        maker, _ = register(first, **HOTPOT_MAKER)
        need = post_need(first, auth, buyer_id=buyer["id"], title="Hotpot seasoning")
        before = first.get(f"/needs/{need['id']}/recommendations").json()
        health = first.get("/health").json()
    with TestClient(create_app(settings, embedder=embedder, suggester=suggester)) as second:
        assert second.get("/health").json() == health
        assert second.get(f"/needs/{need['id']}/recommendations").json() == before
        assert before["items"][0]["partner"]["id"] == maker["id"]
        assert second.get(f"/enterprises/{buyer['id']}", headers=auth).json()["contact_email"]
