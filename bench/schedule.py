"""Scheduler benchmark: optimiser vs greedy baseline vs an LP upper bound, then a re-plan.

    .venv/bin/python -m bench.schedule            # 1,000 x 1,000, 20 slots, 500 tables
    .venv/bin/python -m bench.schedule --size small

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from service.fairs.scheduling import (
    Attendee,
    AttendeeRole,
    Candidate,
    FairInput,
    Plan,
    check_plan,
    greedy_schedule,
    replan,
    schedule,
    score_bound,
)
from service.fairs.scheduling.problem import State, index_input
from service.fairs.scheduling.slots import assign, choose, placeable


@dataclass(frozen=True)
class Size:
    suppliers: int
    buyers: int
    slots: int
    tables: int
    per_buyer: int


SIZES = {
    "full": Size(suppliers=1000, buyers=1000, slots=20, tables=500, per_buyer=30),
    "small": Size(suppliers=150, buyers=150, slots=10, tables=60, per_buyer=12),
}


def make_fair(size: Size, seed: int = 7) -> FairInput:
    """Random fair: ~per_buyer candidates per buyer (at least one), caps 10-20 (clipped to the
    day), a fifth of participants present only for the morning or the afternoon, 2 % of pairs
    required, and one break slot in the middle of the day."""
    rng = np.random.default_rng(seed)
    half = size.slots // 2
    people: list[Attendee] = []
    for pid in range(size.suppliers + size.buyers):
        role: AttendeeRole = "supplier" if pid < size.suppliers else "buyer"
        window: frozenset[int] | None = None
        if rng.random() < 0.2:
            window = frozenset(range(half) if rng.random() < 0.5 else range(half, size.slots))
        cap = int(rng.integers(10, 21))
        people.append(Attendee(id=pid, role=role, max_meetings=cap, available=window))
    candidates: list[Candidate] = []
    for buyer in range(size.suppliers, size.suppliers + size.buyers):
        count = max(1, min(size.suppliers, int(rng.poisson(size.per_buyer))))
        for supplier in sorted(rng.choice(size.suppliers, size=count, replace=False).tolist()):
            score = round(float(rng.beta(2.0, 3.0)), 4)
            required = bool(rng.random() < 0.02)
            candidates.append(Candidate(supplier, buyer, score, required))
    return FairInput(
        n_slots=size.slots,
        n_tables=size.tables,
        participants=tuple(people),
        candidates=tuple(candidates),
        breaks=frozenset({half - 1}),
    )


def cancel(fair: FairInput, fraction: float, seed: int = 11) -> FairInput:
    """The same fair after a random `fraction` of participants cancelled."""
    rng = np.random.default_rng(seed)
    gone = set(
        rng.choice(
            len(fair.participants), size=int(fraction * len(fair.participants)), replace=False
        ).tolist()
    )
    return replace(
        fair,
        participants=tuple(p for p in fair.participants if p.id not in gone),
        candidates=tuple(
            c for c in fair.candidates if c.supplier_id not in gone and c.buyer_id not in gone
        ),
    )


def priority_target(fair: FairInput) -> float:
    """Score of the optimiser's own time-ignoring pair selection (required pairs first, then
    coverage, then score): the gap between it and the plan is what slot assignment loses; the
    gap between it and `score_bound` is the price of the priorities, not of the method."""
    state = State(index_input(fair))
    pb = state.pb
    required = placeable(state, np.flatnonzero(pb.required))
    chosen = choose(state, required, 1.0 + pb.score[required] / (len(required) + 1), False)
    assign(state, chosen)
    edges = placeable(state, np.arange(len(pb.eu), dtype=np.int64))
    rest = choose(state, edges, pb.score[edges], True)
    return float(pb.score[chosen].sum() + pb.score[rest].sum())


def timed(run: Callable[[], Plan]) -> tuple[Plan, float]:
    start = time.perf_counter()
    plan = run()
    return plan, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each planner")
    args = parser.parse_args()
    size, repeat = SIZES[args.size], max(1, args.repeat)
    fair = make_fair(size)
    print(f"instance: {size}, {len(fair.candidates)} candidate pairs")

    greedy_times: list[float] = []
    plan_times: list[float] = []
    for _ in range(repeat):  # interleaved, so machine noise hits both alike
        greedy, seconds = timed(lambda: greedy_schedule(fair))
        greedy_times.append(seconds)
        plan, seconds = timed(lambda: schedule(fair))
        plan_times.append(seconds)
    greedy_s, plan_s = min(greedy_times), min(plan_times)
    target = priority_target(fair)
    start = time.perf_counter()
    bound = score_bound(fair)
    bound_s = time.perf_counter() - start
    violations = check_plan(fair, plan.meetings) + check_plan(fair, greedy.meetings)
    newly_unmatched = set(plan.stats.unmatched) - set(greedy.stats.unmatched)
    print(f"bound (LP, time ignored)  {bound:10.2f}   {bound_s:6.2f} s")
    print(
        f"optimiser objective       {plan.stats.objective:10.2f}   {plan_s:6.2f} s   "
        f"{plan.stats.objective / bound:.4f} of bound, {plan.stats.n_meetings} meetings, "
        f"{len(plan.stats.unmatched)} unmatched, "
        f"{len(plan.stats.required_missing)} required missing"
    )
    print(
        f"greedy objective          {greedy.stats.objective:10.2f}   {greedy_s:6.2f} s   "
        f"{greedy.stats.objective / bound:.4f} of bound, {greedy.stats.n_meetings} meetings, "
        f"{len(greedy.stats.unmatched)} unmatched, "
        f"{len(greedy.stats.required_missing)} required missing"
    )
    print(
        f"time-ignoring optimum with required-first and coverage priorities {target:.2f}; "
        f"optimiser reaches {plan.stats.objective / target:.5f} of it"
    )
    print(
        f"seconds, min of {repeat}: optimiser {plan_s:.2f}, greedy {greedy_s:.2f}, "
        f"ratio {plan_s / greedy_s:.2f}"
    )
    print(f"optimiser / greedy        {plan.stats.objective / greedy.stats.objective:.4f}")
    print(f"unmatched by optimiser but matched by greedy: {len(newly_unmatched)}")
    print(f"checker violations (both plans): {len(violations)}")

    changed = cancel(fair, 0.05)
    again, again_s = timed(lambda: replan(plan.meetings, changed))
    present = {p.id for p in changed.participants}
    remaining = sum(1 for m in plan.meetings if m.supplier_id in present and m.buyer_id in present)
    moved_fraction = again.stats.moved / max(remaining, 1)
    replan_violations = len(check_plan(changed, again.meetings))
    print(
        f"re-plan after 5 % cancel: {again.stats.moved} of {remaining} remaining meetings moved "
        f"({moved_fraction:.4f}), objective {again.stats.objective:.2f}, "
        f"{again.stats.n_meetings} meetings, {len(again.stats.unmatched)} unmatched, "
        f"{replan_violations} violations, {again_s:.2f} s"
    )
    print(
        json.dumps(
            {
                "objective": round(plan.stats.objective, 4),
                "greedy": round(greedy.stats.objective, 4),
                "bound": round(bound, 4),
                "unmatched": len(plan.stats.unmatched),
                "greedy_unmatched": len(greedy.stats.unmatched),
                "seconds": round(plan_s, 3),
                "greedy_seconds": round(greedy_s, 3),
                "gap_to_bound": round(1 - plan.stats.objective / bound, 5),
                "priority_target": round(target, 4),
                "violations": len(violations),
                "moved_fraction": round(moved_fraction, 5),
                "replan_objective": round(again.stats.objective, 4),
                "replan_seconds": round(again_s, 3),
                "replan_violations": replan_violations,
            }
        )
    )


if __name__ == "__main__":
    main()
