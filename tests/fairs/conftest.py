"""Fair fixtures: small fair data builders."""

import time
from typing import Any

from fastapi.testclient import TestClient

import service.fairs.tables  # noqa: F401  (registers the fair tables)

DAY = "2025-05-20"


def event_body(*, rounds: int = 4, tables: int = 4, **extra: Any) -> dict[str, Any]:
    """One morning of 15-minute rounds with a 15-minute coffee break after the second."""
    end = 9 * 60 + 15 * (rounds + 1)
    return {
        "name": "Chongqing matchmaking day",
        "venue": "Hall 3",
        "starts_on": DAY,
        "ends_on": DAY,
        "timezone": "Asia/Shanghai",
        "meeting_minutes": 15,
        "n_tables": tables,
        "sessions": [
            {"starts_at": f"{DAY}T09:00", "ends_at": f"{DAY}T{end // 60:02}:{end % 60:02}"},
            {"starts_at": f"{DAY}T09:30", "ends_at": f"{DAY}T09:45", "is_break": True},
        ],
        **extra,
    }


def wait_for(client: TestClient, job: dict[str, Any]) -> dict[str, Any]:
    """A job's final state, once it is done (fails the test if it failed or hangs)."""
    for _ in range(600):
        status: dict[str, Any] = client.get(f"/jobs/{job['id']}").json()
        if status["state"] in ("done", "failed"):
            assert status["state"] == "done", status["error"]
            return status
        time.sleep(0.1)
    raise AssertionError("job did not finish")
