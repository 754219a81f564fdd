"""Placement scheduling for a fair: pure functions over dataclasses (no web or database code)."""

from service.fairs.scheduling.checker import check_plan, missing_required
from service.fairs.scheduling.scheduler import greedy_schedule, replan, schedule, score_bound
from service.fairs.scheduling.types import (
    Attendee,
    AttendeeRole,
    Candidate,
    FairInput,
    Placement,
    Plan,
    PlanStats,
)

__all__ = [
    "Attendee",
    "AttendeeRole",
    "Candidate",
    "FairInput",
    "Placement",
    "Plan",
    "PlanStats",
    "check_plan",
    "greedy_schedule",
    "missing_required",
    "replan",
    "schedule",
    "score_bound",
]
