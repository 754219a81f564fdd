"""Hostile and careless payloads: every one gets a 4xx naming the field, in one error shape,
and nothing is stored (issue 13)."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from service.entities import Enterprise, EnterpriseUpdate, Need, NeedUpdate, Offer, OfferUpdate
from service.fairs.tables import Event, EventUpdate, Participant, ParticipantUpdate
from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, post_need, post_offer, register
from tests.conftest import SQLITE_ONLY
from tests.fairs.conftest import event_body

TOO_BIG = 2**63  # one past the largest 64-bit signed integer


def named(response: Any) -> set[str]:
    """The fields an error names: each entry of its list, or the head of its detail."""
    body = response.json()
    listed = {str(e["field"]) for e in body.get("errors", []) + body.get("rows", [])}
    return listed | {body["detail"].split(":")[0]}


def _non_nullable(update: type[SQLModel], table: type[SQLModel]) -> list[str]:
    """Fields of a PATCH schema that the database cannot hold as null (the oracle: the table)."""
    columns = table.__table__.columns  # type: ignore[attr-defined]
    return [f for f in update.model_fields if f not in columns or not columns[f].nullable]


def _fair(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    """A supplier with an offer, a buyer with a need, both in one event."""
    supplier, s_key = register(client, **HOTPOT_MAKER)
    buyer, b_key = register(client, **GERMAN_BUYER)
    need = post_need(client, b_key, buyer_id=buyer["id"], title="Hotpot base for Germany")
    offer = post_offer(client, s_key, supplier_id=supplier["id"], title="Hotpot base, 400 g")
    event = client.post("/events", json=event_body(), headers=admin).json()
    p = client.post(
        f"/events/{event['id']}/participants",
        json={"enterprise_id": supplier["id"], "role": "supplier"},
        headers=admin,
    ).json()
    return {
        "supplier": supplier,
        "key": s_key,
        "need": need,
        "offer": offer,
        "event": event,
        "p": p,
    }


PATCHES: dict[str, tuple[type[SQLModel], type[SQLModel]]] = {
    "enterprise": (EnterpriseUpdate, Enterprise),
    "need": (NeedUpdate, Need),
    "offer": (OfferUpdate, Offer),
    "event": (EventUpdate, Event),
    "participant": (ParticipantUpdate, Participant),
}


@pytest.mark.parametrize("noun", list(PATCHES))
def test_null_for_a_non_nullable_field_is_refused_on_every_patch_route(
    client: TestClient, admin: dict[str, str], noun: str
) -> None:
    f = _fair(client, admin)
    event_id = f["event"]["id"]
    url = {
        "enterprise": f"/enterprises/{f['supplier']['id']}",
        "need": f"/needs/{f['need']['id']}",
        "offer": f"/offers/{f['offer']['id']}",
        "event": f"/events/{event_id}",
        "participant": f"/events/{event_id}/participants/{f['p']['id']}",
    }[noun]
    update, table = PATCHES[noun]
    fields = _non_nullable(update, table)
    assert len(fields) >= 5  # the oracle found the fields
    before = client.get(url, headers=admin).json()
    for field in fields:
        reply = client.patch(url, json={field: None}, headers=admin)
        assert reply.status_code == 422, (field, reply.text)
        assert field in named(reply), (field, reply.json())
    assert client.get(url, headers=admin).json() == before
    for page in (
        "/enterprises",
        f"/enterprises/{f['supplier']['id']}",
        "/search/suppliers?q=hotpot",
        f"/events/{event_id}/participants",
        f"/events/{event_id}/participants.xlsx",
        f"/needs/{f['need']['id']}/recommendations",
    ):
        assert client.get(page, headers=admin).status_code == 200, page


def test_a_nullable_field_may_still_be_cleared(client: TestClient) -> None:
    supplier, key = register(client, **HOTPOT_MAKER)
    reply = client.patch(f"/enterprises/{supplier['id']}", json={"moq": None}, headers=key)
    assert reply.status_code == 200 and reply.json()["moq"] is None


@SQLITE_ONLY
def test_unknown_fields_are_refused_naming_them(client: TestClient, admin: dict[str, str]) -> None:
    supplier, key = register(client, **HOTPOT_MAKER)
    offer = {"supplier_id": supplier["id"], "title": "Hotpot base", "quantity": 2000}
    reply = client.post("/offers", json=offer, headers=key)
    assert reply.status_code == 422 and "quantity" in named(reply)
    assert client.get("/offers").json()["total"] == 0
    reply = client.patch(f"/enterprises/{supplier['id']}", json={"ceo": "X"}, headers=key)
    assert reply.status_code == 422 and "ceo" in named(reply)
    nested = {**GERMAN_BUYER, "product_lines": [{"name": "Tea", "grade": "A"}]}
    reply = client.post("/enterprises", json=nested)
    assert reply.status_code == 422 and "product_lines.0.grade" in named(reply)
    reply = client.post("/events", json={**event_body(), "capacity": 9}, headers=admin)
    assert reply.status_code == 422 and "capacity" in named(reply)


def test_integers_beyond_64_bits_are_422_in_path_query_and_body(
    client: TestClient, admin: dict[str, str]
) -> None:
    supplier, _ = register(client, **HOTPOT_MAKER)
    for url in (
        f"/enterprises/{TOO_BIG}",
        f"/needs/{TOO_BIG}/recommendations",
        f"/events/{TOO_BIG}/participants/{TOO_BIG}",
        "/needs?offset=99999999999999999999999",
        f"/offers?supplier_id={TOO_BIG}",
    ):
        assert client.get(url).status_code == 422, url
    # the caller is identified first: without a key nothing is looked up, with one the id is 422
    assert client.patch(f"/enterprises/{TOO_BIG}", json={"city": "X"}).status_code == 401
    reply = client.patch(f"/enterprises/{TOO_BIG}", json={"city": "X"}, headers=admin)
    assert reply.status_code == 422 and "enterprise_id" in named(reply)
    reply = client.post("/needs", json={"buyer_id": TOO_BIG, "title": "Tea"}, headers=admin)
    assert reply.status_code == 422 and "buyer_id" in named(reply)
    event = client.post("/events", json=event_body(), headers=admin).json()
    reply = client.post(
        f"/events/{event['id']}/participants",
        json={"enterprise_id": supplier["id"], "role": "supplier", "must_meet": [TOO_BIG]},
        headers=admin,
    )
    assert reply.status_code == 422 and "must_meet.0" in named(reply)


@SQLITE_ONLY
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_non_finite_numbers_are_422_with_a_serialisable_body(
    client: TestClient, number: str
) -> None:
    raw = f'{{"name": "Acme", "role": "supplier", "moq": {number}}}'
    reply = client.post("/enterprises", content=raw, headers={"content-type": "application/json"})
    assert reply.status_code == 422 and "moq" in named(reply)
    assert client.get("/enterprises").json()["total"] == 0
    found = client.get("/search/suppliers", params={"q": "tea", "min_capacity": number})
    assert found.status_code == 422 and "min_capacity" in named(found)


@SQLITE_ONLY
def test_lone_surrogates_are_422_with_a_serialisable_body(client: TestClient) -> None:
    for raw in (
        '{"name": "\\ud800", "role": "buyer"}',
        '{"name": "A", "role": "buyer", "languages": ["\\udfff"]}',
        '{"name": "A", "role": "\\ud800"}',
    ):
        reply = client.post(
            "/enterprises", content=raw, headers={"content-type": "application/json"}
        )
        assert reply.status_code == 422, raw
        json.dumps(reply.json(), ensure_ascii=False).encode()  # never echoes the surrogate
    assert client.get("/enterprises").json()["total"] == 0


@SQLITE_ONLY
@pytest.mark.parametrize("external_id", ["", " ", "\t"])
def test_a_blank_external_id_is_422(client: TestClient, external_id: str) -> None:
    for _ in range(2):
        reply = client.post("/enterprises", json={**GERMAN_BUYER, "external_id": external_id})
        assert reply.status_code == 422 and "external_id" in named(reply)


def test_nul_bytes_and_control_characters_are_refused_naming_the_field(
    client: TestClient,
) -> None:
    for field, value in (("name", "Acme\x00"), ("description", "bell\x07"), ("city", "a\x1bb")):
        reply = client.post("/enterprises", json={**GERMAN_BUYER, field: value})
        assert reply.status_code == 422 and field in named(reply), field
    ok = client.post("/enterprises", json={**GERMAN_BUYER, "description": "line one\n\tline two"})
    assert ok.status_code == 201
    assert client.get("/search/suppliers", params={"q": "tea\x00"}).status_code == 422


def test_text_is_nfkc_normalised_before_uniqueness_and_matching(client: TestClient) -> None:
    wide = client.post(
        "/enterprises",
        json={
            **HOTPOT_MAKER,
            "name": "\uff26\uff55\uff4c\uff49\uff4e\uff47 Foods",
            "external_id": "\uff21\uff22\uff23\uff11",
        },
    )
    assert wide.status_code == 201
    assert wide.json()["enterprise"]["external_id"] == "ABC1"
    assert wide.json()["enterprise"]["name"] == "Fuling Foods"
    again = client.post("/enterprises", json={**GERMAN_BUYER, "external_id": "ABC1"})
    assert again.status_code == 422 and "external_id" in named(again)
    found = client.get(
        "/enterprises", params={"name": "\uff46\uff55\uff4c\uff49\uff4e\uff47"}
    ).json()
    assert [e["name"] for e in found["items"]] == ["Fuling Foods"]


@SQLITE_ONLY
def test_every_error_has_one_shape(client: TestClient, admin: dict[str, str]) -> None:
    rows = [{**GERMAN_BUYER, "external_id": "x"}, {**GERMAN_BUYER, "external_id": "x"}]
    replies = [
        client.post("/enterprises", json={"name": "", "role": "buyer"}),  # pydantic's 422
        client.post("/enterprises/bulk", json=rows, headers=admin),  # per-row 422
        client.get("/enterprises/999"),  # 404 from the service
        client.get("/no/such/route"),  # 404 from the router
        client.put("/enterprises"),  # 405
        client.patch("/enterprises/1", json={}),  # 401
        client.post("/enterprises", content=b"{", headers={"content-type": "application/json"}),
    ]
    for reply in replies:
        assert 400 <= reply.status_code < 500, reply.text
        body = reply.json()
        assert isinstance(body["error"], str) and isinstance(body["detail"], str), body
        assert set(body) <= {"error", "detail", "errors", "rows"}, body
        for entry in body.get("errors", []) + body.get("rows", []):
            assert {"field", "detail"} <= set(entry) and "input" not in entry, entry
    assert replies[0].json()["errors"][0]["field"] == "name"
    assert replies[1].json()["rows"][0]["field"] == "external_id"


@SQLITE_ONLY
def test_an_oversized_body_is_413_before_it_is_parsed(
    client: TestClient, admin: dict[str, str]
) -> None:
    limit = client.app.state.runtime.settings.max_body_bytes  # type: ignore[attr-defined]
    big = json.dumps({**GERMAN_BUYER, "description": "x" * limit}).encode()
    reply = client.post("/enterprises", content=big, headers={"content-type": "application/json"})
    assert reply.status_code == 413 and reply.json()["error"] == "ContentTooLarge"

    def chunks() -> Any:  # no Content-Length: counted as it streams
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    streamed = client.post(
        "/enterprises", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert client.get("/enterprises").json()["total"] == 0


@SQLITE_ONLY
def test_an_overlong_query_string_is_414(client: TestClient) -> None:
    limit = client.app.state.runtime.settings.max_query_bytes  # type: ignore[attr-defined]
    reply = client.get("/enterprises", params={"name": "x", "pad": "y" * limit})
    assert reply.status_code == 414 and reply.json()["error"] == "URITooLong"
