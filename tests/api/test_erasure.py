"""An enterprise exports all its data and erases itself: needs, offers, vectors and fair
participations go; meetings already planned stay in the organizer's report, against
"(deleted enterprise)"."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from service.entities import Enterprise, ItemVector, Need, Offer, ShortlistEntry
from service.fairs.tables import Participant
from service.matching.embedder import Embedder
from service.usecases.consistency import check
from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, post_need, post_offer, register
from tests.fairs.conftest import event_body, wait_for
from tests.fairs.test_fair_api import _fair

GONE = "(deleted enterprise)"


def _session(client: TestClient) -> Session:
    return Session(client.app.state.runtime.matchmaker.engine)  # type: ignore[attr-defined]


def _rows(client: TestClient, table: Any, enterprise_id: int, column: Any) -> int:
    with _session(client) as session:
        query = select(func.count()).select_from(table).where(col(column) == enterprise_id)
        return session.exec(query).one()


def test_the_export_holds_everything_stored_about_an_enterprise_for_it_alone(
    client: TestClient, admin: dict[str, str]
) -> None:
    supplier, auth = register(client, **HOTPOT_MAKER)
    _, stranger = register(client, **GERMAN_BUYER)
    offer = post_offer(client, auth, supplier_id=supplier["id"], title="Hotpot base, 400 g")
    client.patch(f"/enterprises/{supplier['id']}", json={"city": "Fuling"}, headers=auth)
    url = f"/enterprises/{supplier['id']}/export"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=stranger).status_code == 403
    assert client.get(url, headers=admin).status_code == 200
    mine = client.get(url, headers=auth).json()
    assert mine["enterprise"]["contact_email"] == HOTPOT_MAKER["contact_email"]
    assert mine["enterprise"]["product_lines"][0]["name"] == "Spicy hotpot seasoning base"
    assert [o["id"] for o in mine["offers"]] == [offer["id"]] and mine["needs"] == []
    assert mine["participations"] == mine["requests"] == mine["meetings"] == []
    assert [(a["noun"], a["action"]) for a in mine["audit"]] == [
        ("enterprise", "create"),
        ("offer", "create"),
        ("enterprise", "update"),
    ]


def test_erasure_keeps_planned_meetings_as_history_of_a_deleted_enterprise(
    client: TestClient, admin: dict[str, str], embedder: Embedder
) -> None:
    event_id, ids, keys = _fair(client, admin)
    s1, b3 = {"X-API-Key": keys["s1"]}, {"X-API-Key": keys["b3"]}
    sent = client.post(
        f"/events/{event_id}/requests", json={"from_id": ids["s1"], "to_id": ids["b3"]}, headers=s1
    ).json()
    client.post(
        f"/events/{event_id}/requests/{sent['id']}/answer", json={"accept": True}, headers=b3
    )
    wait_for(client, client.post(f"/events/{event_id}/schedule", headers=admin).json())
    meetings = client.get(f"/events/{event_id}/meetings", headers=admin).json()
    [met] = [m for m in meetings if (m["supplier_id"], m["buyer_id"]) == (ids["s1"], ids["b3"])]
    held = client.put(
        f"/events/{event_id}/meetings/{met['id']}/outcome",
        json={"status": "held", "rating": 4},
        headers=s1,
    )
    assert held.status_code == 200
    osaka = client.get(f"/events/{event_id}/participants/{ids['b3']}").json()["enterprise_id"]
    post_need(client, b3, buyer_id=osaka, title="Chili oil in glass jars")
    dean = client.get(f"/events/{event_id}/participants/{ids['s1']}").json()["enterprise_id"]
    saved = client.put(f"/shortlist/{dean}", json={"note": "met at the fair"}, headers=b3)
    assert saved.status_code == 200
    assert client.get(f"/companies/{osaka}").status_code == 200  # its web page, until erased
    before = client.get(f"/events/{event_id}/report", headers=admin).json()

    export = client.get(f"/enterprises/{osaka}/export", headers=b3).json()
    assert export["enterprise"]["contact_email"] == "import@osaka.example"
    assert [p["event_name"] for p in export["participations"]] == ["Chongqing matchmaking day"]
    assert [r["id"] for r in export["requests"]] == [sent["id"]]
    ours = [m for m in export["meetings"] if m["id"] == met["id"]]
    assert ours and ours[0]["partner"] == "Dean Hotpot Foods"
    assert ours[0]["outcome"]["rating"] == 4
    assert len(export["needs"]) == 1
    assert [e["supplier"]["id"] for e in export["shortlist"]] == [dean]
    assert {(a["noun"], a["action"]) for a in export["audit"]} >= {
        ("enterprise", "create"),
        ("participant", "create"),
        ("need", "create"),
        ("key", "rotate"),
    }

    assert client.delete(f"/enterprises/{osaka}", headers=b3).status_code == 204

    assert client.get(f"/enterprises/{osaka}").status_code == 404
    assert client.get(f"/enterprises/{osaka}/export", headers=admin).status_code == 404
    assert client.get(f"/enterprises/{dean}", headers=b3).status_code == 401  # its key is dead
    # its row stays for the fair's history, but nothing of it shows on the web pages, and its
    # shortlist is gone with it
    assert client.get(f"/companies/{osaka}").status_code == 404
    assert "Osaka" not in client.get("/find", params={"q": "chili oil"}).text
    assert _rows(client, ShortlistEntry, osaka, ShortlistEntry.owner_id) == 0
    assert all(e["id"] != osaka for e in client.get("/enterprises").json()["items"])
    found = client.get("/search/suppliers", params={"q": "chili oil and hotpot"}).json()
    assert GONE not in str(found)
    for table, column in ((Need, Need.buyer_id), (ItemVector, ItemVector.enterprise_id)):
        assert _rows(client, table, osaka, column) == 0
    after = client.get(f"/events/{event_id}/report", headers=admin).json()
    assert after["meetings_scheduled"] == before["meetings_scheduled"]
    assert after["meetings_held"] == 1 and after["requests_accepted"] == 1
    [gone] = [c for c in after["coverage"] if c["participant_id"] == ids["b3"]]
    assert gone["name"] == GONE and gone["scheduled"] >= 1 and gone["held"] == 1
    agenda = client.get(f"/events/{event_id}/participants/{ids['s1']}/agenda.html", headers=s1)
    assert GONE in agenda.text and "import@osaka.example" not in agenda.text
    listed = client.get(f"/events/{event_id}/participants/{ids['b3']}").json()
    assert listed["enterprise"]["name"] == GONE and listed["status"] == "cancelled"
    assert listed["available"] == [] and listed["enterprise"]["description"] == ""
    sheet = client.get(f"/events/{event_id}/participants.csv", headers=admin).text
    assert GONE not in sheet and "Osaka" not in sheet
    erased = client.get("/audit", params={"action": "erase"}, headers=admin).json()["items"]
    assert [(e["noun"], e["ref_id"], e["actor_id"]) for e in erased] == [
        ("enterprise", osaka, osaka)
    ]
    with _session(client) as session:
        assert check(session, embedder.identity).problems == []
    # the fair goes on: a re-plan simply drops the deleted side's meetings
    replan = client.post(f"/events/{event_id}/schedule?keep=true", headers=admin).json()
    assert wait_for(client, replan)["result"]["violations"] == []


def test_an_enterprise_that_met_nobody_is_erased_without_a_trace(
    client: TestClient, admin: dict[str, str]
) -> None:
    buyer, auth = register(client, **GERMAN_BUYER)
    post_need(client, auth, buyer_id=buyer["id"], title="Hotpot seasoning")
    event = client.post("/events", json=event_body(), headers=admin).json()
    enrol = {"enterprise_id": buyer["id"], "role": "buyer"}
    assert (
        client.post(f"/events/{event['id']}/participants", json=enrol, headers=admin).status_code
        == 201
    )
    assert client.delete(f"/enterprises/{buyer['id']}", headers=auth).status_code == 204
    with _session(client) as session:
        assert session.get(Enterprise, buyer["id"]) is None
    for table, column in (
        (Need, Need.buyer_id),
        (Offer, Offer.supplier_id),
        (ItemVector, ItemVector.enterprise_id),
        (Participant, Participant.enterprise_id),
    ):
        assert _rows(client, table, buyer["id"], column) == 0
    assert client.get(f"/events/{event['id']}/participants").json()["total"] == 0


def test_an_erased_supplier_leaves_every_shortlist_and_page(client: TestClient) -> None:
    supplier, auth = register(client, **HOTPOT_MAKER)
    _, buyer = register(client, **GERMAN_BUYER)
    assert client.put(f"/shortlist/{supplier['id']}", json={}, headers=buyer).status_code == 200
    assert client.delete(f"/enterprises/{supplier['id']}", headers=auth).status_code == 204
    assert client.get("/shortlist", headers=buyer).json()["items"] == []
    assert _rows(client, ShortlistEntry, supplier["id"], ShortlistEntry.supplier_id) == 0
    page = client.get("/me/shortlist", headers={"Cookie": f"mf_key={buyer['X-API-Key']}"})
    assert page.status_code == 200 and HOTPOT_MAKER["name"] not in page.text
    assert client.get(f"/companies/{supplier['id']}").status_code == 404
