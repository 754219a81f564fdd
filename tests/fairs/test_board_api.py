"""Moving and locking a meeting over the JSON API (the pages call the same use-cases), and the
report's breakdowns."""

import pytest
from fastapi.testclient import TestClient

from tests.fairs.test_fair_api import _fair, _wait

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_organizer_moves_a_meeting_to_a_free_cell_only_and_locks_it(
    client: TestClient, admin: dict[str, str]
) -> None:
    event_id, _, keys = _fair(client, admin)
    _wait(client, client.post(f"/events/{event_id}/schedule", headers=admin).json())
    plan = client.get(f"/events/{event_id}/meetings", headers=admin).json()
    m, others = plan[0], plan[1:]
    url = f"/events/{event_id}/meetings/{m['id']}"
    cells = [tuple(c) for c in client.get(url + "/cells", headers=admin).json()]
    assert (m["slot"], m["table"]) in cells
    taken = {(o["slot"], o["table"]) for o in others}
    assert not taken & set(cells)
    slot, table = next(c for c in cells if c != (m["slot"], m["table"]))

    moved = client.patch(url, json={"slot": slot, "table": table}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["slot"], moved.json()["table"], moved.json()["locked"]) == (
        slot,
        table,
        True,
    )
    clash = next(o for o in others if (o["slot"], o["table"]) not in cells)
    refused = client.patch(
        url, json={"slot": clash["slot"], "table": clash["table"]}, headers=admin
    )
    assert refused.status_code == 409 and "move:" in refused.json()["detail"]
    half = client.patch(url, json={"slot": 0}, headers=admin)
    assert half.status_code == 400 and "slot, table" in half.json()["detail"]
    freed = client.patch(url, json={"locked": False}, headers=admin)
    assert freed.json()["locked"] is False and freed.json()["slot"] == slot
    not_theirs = client.patch(url, json={"locked": True}, headers={"X-API-Key": keys["b1"]})
    assert not_theirs.status_code == 403

    report = client.get(f"/events/{event_id}/report", headers=admin).json()
    countries = {g["key"]: g["meetings_scheduled"] for g in report["by_buyer_country"]}
    assert sum(countries.values()) == len(plan) and set(countries) <= {"Germany", "Japan"}
    sectors = {g["key"] for g in report["by_supplier_sector"]}
    assert sectors <= {"II", "IV"}  # tea (chapter 09), sauces and pickles (20, 21)
    assert report["acceptance_rate"] is None  # no request answered yet
