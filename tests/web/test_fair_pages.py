"""The fair pages over real HTTP (TestClient, SQLite: the pages add no SQL of their own): who may
see what, the import checked row by row before anything is written, a hand move refused where
it clashes, locked meetings through a re-plan, outcomes in the report; requests with messages
between participants, contacts only after acceptance, availability, and asking for a meeting
from a company page."""

import json
import re
import time
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.web.core import CSRF_COOKIE, KEY_COOKIE
from tests.conftest import ADMIN_KEY
from tests.fairs.conftest import DAY, event_body
from tests.fairs.test_fair_api import ROWS, _csv, _key_for

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
FUTURE = (date.today() + timedelta(days=60)).isoformat()


def _as(client: TestClient, key: str | None) -> str:
    """Browse with this key in the session cookie (None: signed out); returns the CSRF token."""
    client.cookies.delete(KEY_COOKIE)
    if key:
        client.cookies.set(KEY_COOKIE, key)
    client.get("/")
    token = client.cookies.get(CSRF_COOKIE)
    assert token
    return token


def _wait_for(client: TestClient, job_page: str) -> str:
    """Follow a job page (as htmx polls it) until the job is over; returns its last fragment."""
    for _ in range(600):
        fragment = client.get(job_page, headers={"HX-Request": "true"}).text
        if "hx-trigger" not in fragment:
            return fragment
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def _fair(client: TestClient, admin: dict[str, str]) -> tuple[int, dict[str, int], dict[str, str]]:
    """A coming event created on the page, the six-row file imported through the import page,
    match lists built: (event id, participant ids by external id, keys by external id)."""
    token = _as(client, ADMIN_KEY)
    body = json.loads(json.dumps(event_body(rounds=6)).replace(DAY, FUTURE))
    form = {
        "csrf_token": token,
        **{k: str(v) for k, v in body.items() if k != "sessions"},
        "session_day": [FUTURE, FUTURE],
        "session_start": ["09:00", "09:30"],
        "session_end": [body["sessions"][0]["ends_at"][-5:], "09:45"],
        "session_kind": ["meeting", "break"],
    }
    created = client.post("/fairs/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    event_id = int(created.headers["location"].rsplit("/", 1)[1])
    files = {"file": ("people.csv", _csv(ROWS), "text/csv")}
    mapping = {"csrf_token": token, "map_name": "Company"}
    started = client.post(f"/fairs/{event_id}/import", data=mapping, files=files)
    assert "Done." in _wait_for(client, str(started.url))
    built = client.post(f"/fairs/{event_id}/match-lists", data={"csrf_token": token})
    assert "Done." in _wait_for(client, str(built.url))
    people = client.get(f"/events/{event_id}/participants").json()["items"]
    ids = {p["enterprise"]["external_id"]: p["id"] for p in people}
    keys = {
        p["enterprise"]["external_id"]: _key_for(client, admin, p["enterprise_id"]) for p in people
    }
    return event_id, ids, keys


def test_import_shows_every_row_before_writing_and_refuses_a_file_with_a_bad_row(
    client: TestClient,
) -> None:
    token = _as(client, ADMIN_KEY)
    event = client.post("/events", json=event_body(), headers={"X-API-Key": ADMIN_KEY}).json()
    bad = [*ROWS[:2], [*ROWS[2][:2], "exhibitor", *ROWS[2][3:]], *ROWS[3:]]
    files = {"file": ("people.csv", _csv(bad), "text/csv")}
    unmapped = client.post(
        f"/fairs/{event['id']}/import/check", data={"csrf_token": token}, files=files
    )
    assert unmapped.status_code == 422
    assert "missing required column(s) name" in unmapped.text
    assert '<option value="Company">Company</option>' in unmapped.text  # offered for mapping

    mapped = {"csrf_token": token, "map_name": "Company"}
    checked = client.post(f"/fairs/{event['id']}/import/check", data=mapped, files=files)
    assert checked.status_code == 422
    errors = re.findall(r'<tr class="error"><td>(\d+)</td><td>(\w+)</td>', checked.text)
    assert errors == [("4", "s3")]  # row 4 as Excel numbers it (the header is row 1)
    assert len(re.findall(r'<tr class="new">', checked.text)) == 5
    assert "formaction" not in checked.text  # no way to confirm a file with a bad row
    refused = client.post(f"/fairs/{event['id']}/import", data=mapped, files=files)
    assert refused.status_code == 422
    assert client.get("/enterprises").json()["total"] == 0  # nothing was written

    good = {"file": ("people.csv", _csv(ROWS), "text/csv")}
    fine = client.post(f"/fairs/{event['id']}/import/check", data=mapped, files=good)
    assert fine.status_code == 200 and 'formaction="/fairs/' in fine.text
    assert client.get("/enterprises").json()["total"] == 0
    nothing = client.post(f"/fairs/{event['id']}/import/check", data=mapped)
    assert nothing.status_code == 422 and "choose a CSV or XLSX file" in nothing.text


def test_fair_pages_follow_the_apis_permissions(client: TestClient, admin: dict[str, str]) -> None:
    event_id, ids, keys = _fair(client, admin)
    own = f"/fairs/{event_id}/participants/{ids['b1']}"

    _as(client, None)
    signed_out = client.get(f"/fairs/{event_id}", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/sign-in")
    _as(client, keys["b1"])
    assert client.get(f"/fairs/{event_id}").status_code == 403
    assert client.get(f"/fairs/{event_id}/report").status_code == 403
    assert client.get(own).status_code == 200
    assert client.get(own + "/agenda.pdf").status_code == 200
    assert client.get(f"/fairs/{event_id}/participants/{ids['b3']}").status_code == 403
    assert client.get(f"/fairs/{event_id}/participants/{ids['b3']}/day").status_code == 403
    _as(client, ADMIN_KEY)
    for page in ("", "/participants", "/requests", "/schedule", "/tables", "/report", "/import"):
        assert client.get(f"/fairs/{event_id}{page}").status_code == 200, page
    assert client.get(own).status_code == 200
    assert client.get(f"/fairs/{event_id}/participants/999999").status_code == 404


def _meetings(client: TestClient, event_id: int) -> dict[int, dict[str, Any]]:
    rows = client.get(f"/events/{event_id}/meetings", headers={"X-API-Key": ADMIN_KEY}).json()
    return {m["id"]: m for m in rows}


def test_a_meeting_moves_only_where_it_fits_and_stays_locked_through_a_replan(
    client: TestClient, admin: dict[str, str]
) -> None:
    event_id, ids, _ = _fair(client, admin)
    token = _as(client, ADMIN_KEY)
    planned = client.post(f"/fairs/{event_id}/schedule", data={"csrf_token": token, "keep": "0"})
    assert "The independent check found the plan valid." in _wait_for(client, str(planned.url))
    before = _meetings(client, event_id)
    m = next(m for m in before.values() if m["buyer_id"] != ids["b1"])  # b1 cancels below
    page = client.get(f"/fairs/{event_id}/meetings/{m['id']}")
    cells = re.findall(r'name="cell" value="(\d+):(\d+)"', page.text)
    assert cells and (str(m["slot"]), str(m["table"])) not in cells
    # a cell where one of the pair already meets someone else is not offered, and refused
    busy = next(
        o for o in before.values() if o["id"] != m["id"] and o["supplier_id"] == m["supplier_id"]
    )
    assert (str(busy["slot"]), str(busy["table"])) not in cells
    clash = {"csrf_token": token, "cell": f"{busy['slot']}:{(busy['table'] + 1) % 4}", "lock": "1"}
    refused = client.post(f"/fairs/{event_id}/meetings/{m['id']}/move", data=clash)
    assert refused.status_code == 409
    assert f"already meets in slot {busy['slot']}" in refused.text
    slot, table = (int(x) for x in cells[-1])
    moved = client.post(
        f"/fairs/{event_id}/meetings/{m['id']}/move",
        data={"csrf_token": token, "cell": f"{slot}:{table}", "lock": "1"},
    )
    assert moved.status_code == 200 and "locked" in moved.text
    after = _meetings(client, event_id)[m["id"]]
    assert (after["slot"], after["table"], after["locked"]) == (slot, table, True)
    assert after["sequence"] == m["sequence"] + 1  # calendars follow the move

    # b1 cancels: the re-plan fills the freed room and keeps the locked meeting where it was put
    client.patch(
        f"/events/{event_id}/participants/{ids['b1']}",
        json={"status": "cancelled"},
        headers=admin,
    )
    again = client.post(f"/fairs/{event_id}/schedule", data={"csrf_token": token, "keep": "1"})
    result = _wait_for(client, str(again.url))
    assert "The independent check found the plan valid." in result
    kept = _meetings(client, event_id)[m["id"]]
    assert (kept["slot"], kept["table"], kept["locked"]) == (slot, table, True)
    fresh = client.post(f"/fairs/{event_id}/schedule", data={"csrf_token": token, "keep": "0"})
    _wait_for(client, str(fresh.url))
    assert _meetings(client, event_id)[m["id"]]["slot"] == slot  # locked: even a fresh plan

    unlocked = client.post(
        f"/fairs/{event_id}/meetings/{m['id']}/lock", data={"csrf_token": token, "locked": "0"}
    )
    assert unlocked.status_code == 200 and not _meetings(client, event_id)[m["id"]]["locked"]
    outcome = {"csrf_token": token, "status": "held", "rating": "5", "intended_deal_value": "9000"}
    recorded = client.post(
        f"/fairs/{event_id}/meetings/{m['id']}/outcome", data={**outcome, "currency": "EUR"}
    )
    assert recorded.status_code == 200
    report = client.get(f"/fairs/{event_id}/report").text
    assert re.search(r"Meetings held</dt><dd>1</dd>", report)
    assert "Intended deals (EUR)" in report and "9,000" in report
    assert report.count("<svg") == 4
    assert re.search(r"Meetings by the buyer.s country: [^<]*Japan \d+ / \d+", report)
    grid = client.get(f"/fairs/{event_id}/grid.xlsx")
    assert grid.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_participants_ask_answer_and_see_contacts_only_after_both_accepted(
    client: TestClient, admin: dict[str, str]
) -> None:
    event_id, ids, keys = _fair(client, admin)
    b1_page = f"/fairs/{event_id}/participants/{ids['b1']}"
    s1_page = f"/fairs/{event_id}/participants/{ids['s1']}"

    token = _as(client, keys["b1"])
    mine = client.get("/me/fairs").text
    assert b1_page in mine
    page = client.get(b1_page).text
    assert "Dean Hotpot Foods" in page  # on b1's match list
    assert "sales@dean.example" not in page
    sent = client.post(
        b1_page + "/requests",
        data={"csrf_token": token, "to_id": str(ids["s1"]), "message": "Your tallow base, 20 t?"},
    )
    assert sent.status_code == 200 and "Your tallow base, 20 t?" in sent.text
    forged = client.post(s1_page + "/requests", data={"csrf_token": token, "to_id": str(ids["b3"])})
    assert forged.status_code == 403  # b1 cannot ask as s1

    token = _as(client, keys["s1"])
    page = client.get(s1_page).text
    assert "Your tallow base, 20 t?" in page and "einkauf@rhein.example" not in page
    request_id = re.search(r"/requests/(\d+)/answer", page)
    assert request_id is not None
    answer = s1_page + f"/requests/{request_id.group(1)}/answer"
    accepted = client.post(answer, data={"csrf_token": token, "answer": "accept"})
    assert accepted.status_code == 200 and "einkauf@rhein.example" in accepted.text
    again = client.post(answer, data={"csrf_token": token, "answer": "decline"})
    assert again.status_code == 409
    _as(client, keys["b1"])
    assert "sales@dean.example" in client.get(b1_page).text

    # availability in the event's local time, one window on the day, one every day
    token = _as(client, keys["b3"])
    b3_page = f"/fairs/{event_id}/participants/{ids['b3']}"
    windows = {
        "csrf_token": token,
        "window_day": [FUTURE, "every"],
        "window_start": ["09:00", "10:00"],
        "window_end": ["09:30", "11:00"],
    }
    saved = client.post(b3_page + "/availability", data=windows)
    assert saved.status_code == 200
    stored = client.get(f"/events/{event_id}/participants/{ids['b3']}").json()
    assert stored["available"] == [f"{FUTURE} 09:00-09:30", "10:00-11:00"]
    bad = client.post(
        b3_page + "/availability",
        data={**windows, "window_end": ["08:00", "11:00"]},
    )
    assert bad.status_code == 422 and "ends before it starts" in bad.text

    # from a company page: b3 asks s2 for a meeting at the coming fair they share
    s2 = client.get(f"/events/{event_id}/participants/{ids['s2']}").json()["enterprise_id"]
    company = client.get(f"/companies/{s2}").text
    assert f'action="/fairs/{event_id}/participants/{ids["b3"]}/requests"' in company
    asked = client.post(
        b3_page + "/requests",
        data={"csrf_token": token, "to_id": str(ids["s2"]), "message": "Zhacai for Osaka"},
    )
    assert asked.status_code == 200
    _as(client, ADMIN_KEY)
    overview = client.get(f"/fairs/{event_id}/requests?status=pending").text
    assert "Zhacai for Osaka" in overview and "Your tallow base" not in overview
    assert "Your tallow base" in client.get(f"/fairs/{event_id}/requests?status=accepted").text
