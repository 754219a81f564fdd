"""The organizer workflow over HTTP, on a small fair: import, match, request, plan, agendas."""

import csv
import io
import time
from typing import Any

from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester
from tests.fairs.conftest import event_body

HEADER = [
    "External ID",
    "Company",
    "role",
    "description",
    "looking_for",
    "country",
    "export_markets",
    "products",
    "contact_email",
    "available",
    "do_not_meet",
]
ROWS = [
    [
        "s1",
        "Dean Hotpot Foods",
        "supplier",
        "Makes spicy hotpot base and chili sauces.",
        "Supermarket buyers in Europe.",
        "China",
        "Germany; Japan",
        "Beef tallow hotpot base [2103.90]; Chili oil [2103.90]",
        "sales@dean.example",
        "",
        "",
    ],
    [
        "s2",
        "Fuling Zhacai Co",
        "supplier",
        "Pickled mustard tuber (zhacai) in sachets.",
        "Asian grocery importers.",
        "China",
        "Germany",
        "Shredded zhacai [2005.99]",
        "trade@fuling.example",
        "",
        "",
    ],
    [
        "s3",
        "Yongchuan Tea Garden",
        "supplier",
        "Green tea and jasmine tea, organic certified.",
        "Tea shops and importers.",
        "China",
        "Germany",
        "Green tea [0902.10]; Jasmine tea [0902.20]",
        "tea@yongchuan.example",
        "09:00-09:30",
        "",
    ],
    [
        "b1",
        "Rhein Asia Markt GmbH",
        "buyer",
        "Importer of Asian groceries for German supermarkets.",
        "Hotpot base, chili sauce and pickled vegetables.",
        "Germany",
        "",
        "",
        "einkauf@rhein.example",
        "",
        "",
    ],
    [
        "b2",
        "Hamburg Tea House",
        "buyer",
        "Tea retailer with 40 shops.",
        "Organic green tea and jasmine tea.",
        "Germany",
        "",
        "",
        "buy@teahouse.example",
        "",
        "s1",
    ],
    [
        "b3",
        "Osaka Foods",
        "buyer",
        "Japanese importer of sauces and condiments.",
        "Chili oil and hotpot seasoning.",
        "Japan",
        "",
        "",
        "import@osaka.example",
        "",
        "",
    ],
]
SECRETS = [r[8] for r in ROWS]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def _wait(client: TestClient, job: dict[str, Any]) -> dict[str, Any]:
    for _ in range(600):
        status: dict[str, Any] = client.get(f"/jobs/{job['id']}").json()
        if status["state"] in ("done", "failed"):
            assert status["state"] == "done", status["error"]
            return status
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def _import(client: TestClient, admin: dict[str, str], event_id: int, data: bytes) -> Any:
    return client.post(
        f"/events/{event_id}/imports",
        headers=admin,
        files={"file": ("people.csv", data, "text/csv")},
        data={"mapping": '{"name": "Company"}'},
    )


def _fair(client: TestClient, admin: dict[str, str]) -> tuple[int, dict[str, int], dict[str, str]]:
    """An event with the six rows imported and match lists built: (event, ids, api keys)."""
    event = client.post("/events", json=event_body(), headers=admin).json()
    job = _import(client, admin, event["id"], _csv(ROWS))
    assert job.status_code == 202, job.text
    _wait(client, job.json())
    _wait(client, client.post(f"/events/{event['id']}/match-lists", headers=admin).json())
    people = client.get(f"/events/{event['id']}/participants").json()["items"]
    ids = {p["enterprise"]["external_id"]: p["id"] for p in people}
    keys = {}
    for p in people:  # the organizer issues each imported enterprise its key
        keys[p["enterprise"]["external_id"]] = _key_for(client, admin, p["enterprise_id"])
    return event["id"], ids, keys


def _key_for(client: TestClient, admin: dict[str, str], enterprise_id: int) -> str:
    """Imported enterprises get their keys from the organizer."""
    issued = client.post(f"/enterprises/{enterprise_id}/api-key", headers=admin)
    assert issued.status_code == 200, issued.text
    key: str = issued.json()["api_key"]
    return key


def test_event_rounds_skip_the_break_and_bad_sessions_name_the_field(
    client: TestClient, admin: dict[str, str]
) -> None:
    event = client.post("/events", json=event_body(rounds=4), headers=admin)
    assert event.status_code == 201, event.text
    assert event.json()["n_slots"] == 4  # 09:00-10:30 holds 6 quarters, less the break
    bad = event_body()
    bad["sessions"][0]["starts_at"] = "2025-06-01T09:00"
    reply = client.post("/events", json=bad, headers=admin)
    assert reply.status_code == 422 and "sessions.0" in reply.json()["detail"]
    assert client.post("/events", json=event_body()).status_code == 401


def test_import_with_a_bad_row_writes_nothing_and_reports_each_cell(
    client: TestClient, admin: dict[str, str]
) -> None:
    event = client.post("/events", json=event_body(), headers=admin).json()
    rows = [r.copy() for r in ROWS]
    rows[1][2] = "wholesaler"
    rows[4][10] = "nobody"
    reply = _import(client, admin, event["id"], _csv(rows))
    assert reply.status_code == 422
    errors = {(e["row"], e["field"]) for e in reply.json()["rows"]}
    assert errors == {(3, "role"), (6, "do_not_meet")}
    assert client.get("/enterprises").json()["total"] == 0
    assert client.get(f"/events/{event['id']}/participants").json()["total"] == 0


def test_reimporting_the_same_file_changes_nothing(
    client: TestClient, admin: dict[str, str]
) -> None:
    event = client.post("/events", json=event_body(), headers=admin).json()
    first = _wait(client, _import(client, admin, event["id"], _csv(ROWS)).json())
    again = _wait(client, _import(client, admin, event["id"], _csv(ROWS)).json())
    assert first["result"]["created"] == 6 and first["result"]["participants_added"] == 6
    assert again["result"] == {**again["result"], "created": 0, "updated": 0, "unchanged": 6}
    changed = [r.copy() for r in ROWS]
    changed[0][3] = "Makes hotpot base, chili sauces and now instant noodles."
    third = _wait(client, _import(client, admin, event["id"], _csv(changed)).json())
    assert third["result"]["updated"] == 1
    assert client.get("/enterprises").json()["total"] == 6
    export = client.get(f"/events/{event['id']}/participants.csv", headers=admin)
    assert export.status_code == 200 and "instant noodles" in export.text


def test_match_lists_honour_do_not_meet_and_flag_mutual_picks(
    client: TestClient, admin: dict[str, str]
) -> None:
    event_id, ids, keys = _fair(client, admin)
    tea = client.get(f"/events/{event_id}/participants/{ids['b2']}/matches", headers=admin).json()[
        "items"
    ]
    assert tea and tea[0]["partner"]["external_id"] == "s3"
    assert all(m["partner"]["external_id"] != "s1" for m in tea)  # do-not-meet
    hotpot = client.get(
        f"/events/{event_id}/participants/{ids['s1']}/matches", headers={"X-API-Key": keys["s1"]}
    ).json()["items"]
    assert {m["partner"]["external_id"] for m in hotpot} <= {"b1", "b3"}
    assert any(m["mutual"] for m in hotpot)
    other = client.get(
        f"/events/{event_id}/participants/{ids['s1']}/matches", headers={"X-API-Key": keys["s2"]}
    )
    assert other.status_code == 403


def test_requests_cap_expire_and_reveal_contacts_only_after_acceptance(
    client: TestClient,
    admin: dict[str, str],
    settings: Settings,
    embedder: Embedder,
    suggester: HsSuggester,
) -> None:
    event_id, ids, keys = _fair(client, admin)
    client.patch(f"/events/{event_id}", json={"max_pending_requests": 1}, headers=admin)
    s1 = {"X-API-Key": keys["s1"]}
    sent = client.post(
        f"/events/{event_id}/requests", json={"from_id": ids["s1"], "to_id": ids["b1"]}, headers=s1
    )
    assert sent.status_code == 201, sent.text
    capped = client.post(
        f"/events/{event_id}/requests", json={"from_id": ids["s1"], "to_id": ids["b3"]}, headers=s1
    )
    assert capped.status_code == 409 and "cap" in capped.json()["detail"]
    forged = client.post(
        f"/events/{event_id}/requests", json={"from_id": ids["s2"], "to_id": ids["b1"]}, headers=s1
    )
    assert forged.status_code == 403
    banned = client.post(
        f"/events/{event_id}/requests", json={"from_id": ids["s1"], "to_id": ids["b2"]}, headers=s1
    )
    assert banned.status_code == 400 and "do-not-meet" in banned.json()["detail"]

    # Before acceptance no response to s1 carries b1's contact details, nor the other way.
    b1 = {"X-API-Key": keys["b1"]}
    _assert_no_secrets(client, event_id, ids, s1, "s1", hidden="b1")
    _assert_no_secrets(client, event_id, ids, b1, "b1", hidden="s1")
    reply = client.post(
        f"/events/{event_id}/requests/{sent.json()['id']}/answer", json={"accept": True}, headers=b1
    )
    assert reply.json()["status"] == "accepted"
    # the acceptance teaches the ranker: a buyer wanting what b1 wants now sees s1 credited
    found = client.get("/search/suppliers", params={"q": "hotpot base and chili sauce"}).json()
    learned = {i["partner"]["external_id"]: i["components"]["learned"] for i in found["items"]}
    assert learned.pop("s1") > 0
    assert set(learned.values()) <= {0}
    with TestClient(create_app(settings, embedder=embedder, suggester=suggester)) as restarted:
        again = restarted.get("/search/suppliers", params={"q": "hotpot base and chili sauce"})
        assert again.json()["items"][0]["components"]["learned"] > 0  # relearned at start-up
    contacts = client.get(f"/events/{event_id}/participants/{ids['s1']}/contacts", headers=s1)
    assert [c["contact_email"] for c in contacts.json()] == ["einkauf@rhein.example"]
    again = client.post(
        f"/events/{event_id}/requests/{sent.json()['id']}/answer",
        json={"accept": False},
        headers=b1,
    )
    assert again.status_code == 409

    # An unanswered request past its deadline expires and frees the sender's quota.
    late = client.post(
        f"/events/{event_id}/requests", json={"from_id": ids["s1"], "to_id": ids["b3"]}, headers=s1
    ).json()
    _backdate(client, late["id"])
    listed = client.get(f"/events/{event_id}/participants/{ids['s1']}/requests", headers=s1)
    assert {r["id"]: r["status"] for r in listed.json()}[late["id"]] == "expired"
    answer = client.post(
        f"/events/{event_id}/requests/{late['id']}/answer",
        json={"accept": True},
        headers={"X-API-Key": keys["b3"]},
    )
    assert answer.status_code == 409 and "expired" in answer.json()["detail"]


def _backdate(client: TestClient, request_id: int) -> None:
    from datetime import UTC, datetime

    from sqlmodel import Session

    from service.fairs.tables import MeetingRequest

    with Session(client.app.state.runtime.matchmaker.engine) as session:  # type: ignore[attr-defined]
        r = session.get(MeetingRequest, request_id)
        assert r is not None
        r.expires_at = datetime(2000, 1, 1, tzinfo=UTC)
        session.add(r)
        session.commit()


def _assert_no_secrets(
    client: TestClient,
    event_id: int,
    ids: dict[str, int],
    key: dict[str, str],
    me: str,
    hidden: str,
) -> None:
    secret = SECRETS[[r[0] for r in ROWS].index(hidden)]
    urls = [
        f"/events/{event_id}/participants",
        f"/events/{event_id}/participants/{ids[hidden]}",
        f"/events/{event_id}/participants/{ids[me]}/matches",
        f"/events/{event_id}/participants/{ids[me]}/requests",
        f"/events/{event_id}/participants/{ids[me]}/contacts",
        f"/enterprises/{client.get(f'/events/{event_id}/participants/{ids[hidden]}').json()['enterprise_id']}",
        f"/enterprises/{client.get(f'/events/{event_id}/participants/{ids[me]}').json()['enterprise_id']}/recommendations",
    ]
    for url in urls:
        reply = client.get(url, headers=key)
        assert reply.status_code == 200, (url, reply.text)
        assert secret not in reply.text, url


def test_plan_agendas_and_calendars_follow_a_replan(
    client: TestClient, admin: dict[str, str]
) -> None:
    event_id, ids, keys = _fair(client, admin)
    s1 = {"X-API-Key": keys["s1"]}
    req = client.post(
        f"/events/{event_id}/requests", json={"from_id": ids["s1"], "to_id": ids["b3"]}, headers=s1
    ).json()
    client.post(
        f"/events/{event_id}/requests/{req['id']}/answer",
        json={"accept": True},
        headers={"X-API-Key": keys["b3"]},
    )
    plan = _wait(client, client.post(f"/events/{event_id}/schedule", headers=admin).json())
    summary = plan["result"]
    assert summary["violations"] == [] and summary["meetings"] > 0
    meetings = client.get(f"/events/{event_id}/meetings", headers=admin).json()
    required = [m for m in meetings if m["required"]]
    assert [(m["supplier_id"], m["buyer_id"]) for m in required] == [(ids["s1"], ids["b3"])]
    tea = [m for m in meetings if m["supplier_id"] == ids["s3"]]
    assert all(m["slot"] in (0, 1) for m in tea)  # s3 is there 09:00-09:30 only

    html = client.get(f"/events/{event_id}/participants/{ids['s1']}/agenda.html", headers=s1)
    assert html.status_code == 200 and "Osaka Foods" in html.text
    assert "import@osaka.example" in html.text  # accepted: contact shown
    assert "einkauf@rhein.example" not in html.text  # recommended only: no contact
    pdf = client.get(f"/events/{event_id}/participants/{ids['s1']}/agenda.pdf", headers=s1)
    assert pdf.content.startswith(b"%PDF")
    before = _calendar(client, event_id, ids["s1"], s1)
    grid = client.get(f"/events/{event_id}/grid.xlsx", headers=admin)
    assert grid.content[:2] == b"PK"

    # b1 cancels: s1's meeting with b1 is cancelled in place, others keep their UID.
    cancel = client.patch(
        f"/events/{event_id}/participants/{ids['b1']}",
        json={"status": "cancelled"},
        headers={"X-API-Key": keys["b1"]},
    )
    assert cancel.status_code == 200
    replan = client.post(f"/events/{event_id}/schedule?keep=true", headers=admin).json()
    assert _wait(client, replan)["result"]["violations"] == []
    after = _calendar(client, event_id, ids["s1"], s1)
    assert set(after) == set(before)  # same UIDs: calendars update, never duplicate
    for uid, (seq, status) in after.items():
        if "b" + str(_enterprise(client, event_id, ids["b1"])) in uid.split("-")[-1]:
            assert status == "CANCELLED" and seq > before[uid][0]


def _enterprise(client: TestClient, event_id: int, pid: int) -> int:
    value: int = client.get(f"/events/{event_id}/participants/{pid}").json()["enterprise_id"]
    return value


def _calendar(
    client: TestClient, event_id: int, pid: int, key: dict[str, str]
) -> dict[str, tuple[int, str]]:
    import icalendar

    reply = client.get(f"/events/{event_id}/participants/{pid}/agenda.ics", headers=key)
    cal = icalendar.Calendar.from_ical(reply.content)
    return {
        str(ev["uid"]): (int(str(ev["sequence"])), str(ev["status"])) for ev in cal.walk("VEVENT")
    }


def test_outcomes_feed_the_report(client: TestClient, admin: dict[str, str]) -> None:
    event_id, ids, keys = _fair(client, admin)
    _wait(client, client.post(f"/events/{event_id}/schedule", headers=admin).json())
    meetings = client.get(f"/events/{event_id}/meetings", headers=admin).json()
    first, second = meetings[0], meetings[1]
    supplier_key = next(k for x, k in keys.items() if ids[x] == first["supplier_id"])
    held = client.put(
        f"/events/{event_id}/meetings/{first['id']}/outcome",
        json={"status": "held", "rating": 5, "intended_deal_value": 25000, "currency": "EUR"},
        headers={"X-API-Key": supplier_key},
    )
    assert held.status_code == 200, held.text
    stranger = next(
        k for x, k in keys.items() if ids[x] not in (second["supplier_id"], second["buyer_id"])
    )
    refused = client.put(
        f"/events/{event_id}/meetings/{second['id']}/outcome",
        json={"status": "no_show"},
        headers={"X-API-Key": stranger},
    )
    assert refused.status_code == 403
    client.put(
        f"/events/{event_id}/meetings/{second['id']}/outcome",
        json={"status": "no_show"},
        headers=admin,
    )
    report = client.get(f"/events/{event_id}/report", headers=admin).json()
    assert report["meetings_held"] == 1 and report["meetings_no_show"] == 1
    assert report["intended_deals"] == {"EUR": 25000.0} and report["mean_rating"] == 5
    assert sum(c["scheduled"] for c in report["coverage"]) == 2 * report["meetings_scheduled"]
