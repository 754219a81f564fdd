"""Re-embedding through the API: organizer only, a job with progress, search unchanged."""

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, register


def _wait(client: TestClient, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = client.get(f"/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_reindex_is_an_organizer_job_and_search_is_unchanged(
    client: TestClient, admin: dict[str, str]
) -> None:
    _, auth = register(client, **HOTPOT_MAKER)
    register(client, **GERMAN_BUYER)
    before = client.get("/search/suppliers", params={"q": "hotpot seasoning"}).json()
    assert client.post("/admin/reindex").status_code == 401
    assert client.post("/admin/reindex", headers=auth).status_code == 403
    started = client.post("/admin/reindex", headers=admin)
    assert started.status_code == 202
    job = _wait(client, started.json()["id"])
    items = client.get("/health").json()["items"]
    assert job["state"] == "done"
    assert job["result"] == items == job["done"] == job["total"]
    after = client.get("/search/suppliers", params={"q": "hotpot seasoning"}).json()
    assert [i["partner"]["id"] for i in after["items"]] == [
        i["partner"]["id"] for i in before["items"]
    ]
    for old, new in zip(before["items"], after["items"], strict=True):
        assert abs(old["score"] - new["score"]) < 1e-3


def test_unknown_job_is_404(client: TestClient) -> None:
    response = client.get("/jobs/nope")
    assert response.status_code == 404
    assert "job nope does not exist" in response.json()["detail"]
