"""The audit trail through the API: every change, who made it and when, readable (filtered,
paginated) by the organizer only, and never the changed values."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, post_need, post_offer, register
from tests.fairs.conftest import event_body


def _trail(client: TestClient, admin: dict[str, str], **filters: Any) -> list[dict[str, Any]]:
    reply = client.get("/audit", params={"limit": 500, **filters}, headers=admin)
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def _one(entries: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [e for e in entries if all(e[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, entries)
    return found[0]


def test_every_change_is_recorded_with_who_and_when_never_the_values(
    client: TestClient, admin: dict[str, str]
) -> None:
    supplier, auth = register(client, **HOTPOT_MAKER)
    sid = supplier["id"]
    changed = client.patch(
        f"/enterprises/{sid}",
        json={"contact_email": "new-secret@redpot.example.com", "product_lines": []},
        headers=auth,
    )
    assert changed.status_code == 200
    rotated = client.post(f"/enterprises/{sid}/api-key", headers=auth).json()["api_key"]
    assert client.delete(f"/enterprises/{sid}/api-key", headers=admin).status_code == 204
    buyer, buyer_auth = register(client, **GERMAN_BUYER)
    need = post_need(client, buyer_auth, buyer_id=buyer["id"], title="Hotpot base")
    client.patch(f"/needs/{need['id']}", json={"title": "Hotpot soup base"}, headers=buyer_auth)
    client.delete(f"/needs/{need['id']}", headers=buyer_auth)
    offer = post_offer(client, admin, supplier_id=sid, title="Hotpot base, 400 g")
    event = client.post("/events", json=event_body(), headers=admin).json()  # and its sessions

    trail = _trail(client, admin)
    _one(trail, noun="enterprise", ref_id=sid, action="create", actor="anonymous", actor_id=None)
    update = _one(trail, noun="enterprise", ref_id=sid, action="update", actor="enterprise")
    assert update["actor_id"] == sid and update["enterprise_id"] == sid
    assert set(update["fields"]) == {"contact_email", "product_lines"}
    assert update["request_id"] == changed.headers["x-request-id"]
    _one(trail, noun="key", ref_id=sid, action="rotate", actor="enterprise")
    _one(trail, noun="key", ref_id=sid, action="revoke", actor="organizer")
    need_trail = [e for e in trail if e["noun"] == "need"]
    assert [e["action"] for e in need_trail] == ["delete", "update", "create"]  # newest first
    assert {e["enterprise_id"] for e in need_trail} == {buyer["id"]}
    assert need_trail[1]["fields"] == ["title"]
    _one(trail, noun="offer", ref_id=offer["id"], action="create", actor="organizer")
    created = _one(trail, noun="event", ref_id=event["id"])  # one entry, whatever flushed first
    assert (created["action"], created["fields"]) == ("create", [])
    text = client.get("/audit", params={"limit": 500}, headers=admin).text
    for secret in ("new-secret@redpot.example.com", rotated, "Hotpot soup base"):
        assert secret not in text

    keys = client.get("/audit", params={"noun": "key", "limit": 1}, headers=admin).json()
    assert keys["total"] == 2 and [e["action"] for e in keys["items"]] == ["revoke"]
    mine = _trail(client, admin, enterprise_id=buyer["id"])
    assert {e["noun"] for e in mine} == {"enterprise", "need"}
    assert _trail(client, admin, actor="anonymous", noun="enterprise") == [
        e for e in trail if e["actor"] == "anonymous"
    ]
    assert _trail(client, admin, since="2999-01-01T00:00:00") == []


def test_only_the_organizer_reads_the_trail(client: TestClient) -> None:
    _, auth = register(client, **HOTPOT_MAKER)
    assert client.get("/audit").status_code == 401
    assert client.get("/audit", headers=auth).status_code == 403


def test_the_web_pages_writes_are_recorded_against_the_signed_in_visitor(
    client: TestClient, admin: dict[str, str]
) -> None:
    supplier, _ = register(client, **HOTPOT_MAKER)
    buyer, auth = register(client, **GERMAN_BUYER)
    cookies = f"mf_key={auth['X-API-Key']}; mf_csrf=audit-token"
    saved = client.post(
        f"/me/shortlist/{supplier['id']}",
        data={"csrf_token": "audit-token", "note": "samples first"},
        headers={"Cookie": cookies},
    )
    assert saved.status_code == 200, saved.text  # the shortlist page, after the redirect
    entry = _one(_trail(client, admin, noun="shortlist"), action="create")
    assert (entry["actor"], entry["actor_id"], entry["enterprise_id"]) == (
        "enterprise",
        buyer["id"],
        buyer["id"],
    )
