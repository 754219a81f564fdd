"""Fair fixtures: small fair data builders."""

from typing import Any

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
