"""Meeting scheduling for a fair: pure functions over dataclasses (no web or database code)."""

from service.fairs.checker import check_plan, missing_required
from service.fairs.schedule_types import (
    Candidate,
    FairInput,
    Meeting,
    Participant,
    Plan,
    PlanStats,
    Role,
)
from service.fairs.scheduler import greedy_schedule, replan, schedule, score_bound

__all__ = [
    "Candidate",
    "FairInput",
    "Meeting",
    "Participant",
    "Plan",
    "PlanStats",
    "Role",
    "check_plan",
    "greedy_schedule",
    "missing_required",
    "replan",
    "schedule",
    "score_bound",
]
