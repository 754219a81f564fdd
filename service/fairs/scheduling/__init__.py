"""Placement scheduling for a fair: pure functions over dataclasses (no web or database code)."""

from service.fairs.scheduling.checker import check_locked, check_plan, missing_required
from service.fairs.scheduling.moves import free_cells, move_problem
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
    "check_locked",
    "check_plan",
    "free_cells",
    "greedy_schedule",
    "missing_required",
    "move_problem",
    "replan",
    "schedule",
    "score_bound",
]
