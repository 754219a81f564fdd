"""Scheduler tests: every plan is verified by the independent checker, plus targeted cases."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.fairs.scheduling import (
    Attendee,
    Candidate,
    FairInput,
    Placement,
    check_plan,
    greedy_schedule,
    missing_required,
    replan,
    schedule,
    score_bound,
)


def make_fair(
    *,
    suppliers: int = 20,
    buyers: int = 20,
    slots: int = 6,
    tables: int = 8,
    per_buyer: int = 5,
    seed: int = 1,
) -> FairInput:
    """Seeded random fair: suppliers have ids 0.., buyers follow; some half-day windows."""
    rng = random.Random(seed)
    people = []
    for pid in range(suppliers + buyers):
        window = None
        if rng.random() < 0.2:
            half = range(slots // 2) if rng.random() < 0.5 else range(slots // 2, slots)
            window = frozenset(half)
        people.append(
            Attendee(
                id=pid,
                role="supplier" if pid < suppliers else "buyer",
                max_meetings=rng.randint(1, slots),
                available=window,
            )
        )
    candidates = [
        Candidate(s, b, round(rng.random(), 3), required=rng.random() < 0.03)
        for b in range(suppliers, suppliers + buyers)
        for s in sorted(rng.sample(range(suppliers), min(per_buyer, suppliers)))
    ]
    return FairInput(slots, tables, tuple(people), tuple(candidates))


@st.composite
def fairs(draw: st.DrawFn) -> FairInput:
    n_sup = draw(st.integers(1, 6))
    n_buy = draw(st.integers(1, 6))
    n_slots = draw(st.integers(1, 5))
    slot_sets = st.frozensets(st.integers(0, n_slots - 1))
    people = [
        Attendee(
            id=pid,
            role="supplier" if pid < n_sup else "buyer",
            max_meetings=draw(st.integers(0, 4)),
            available=draw(st.none() | slot_sets),
        )
        for pid in range(n_sup + n_buy)
    ]
    pairs = draw(
        st.sets(st.tuples(st.integers(0, n_sup - 1), st.integers(n_sup, n_sup + n_buy - 1)))
    )
    candidates = [
        Candidate(s, b, draw(st.floats(0.0, 1.0)), draw(st.booleans())) for s, b in sorted(pairs)
    ]
    return FairInput(
        n_slots=n_slots,
        n_tables=draw(st.integers(0, 4)),
        participants=tuple(people),
        candidates=tuple(candidates),
        breaks=draw(slot_sets),
    )


@settings(max_examples=150, deadline=None)
@given(fairs())
def test_random_fairs_get_valid_plans_within_the_bound(fair: FairInput) -> None:
    plan = schedule(fair)
    assert check_plan(fair, plan.meetings) == []
    assert check_plan(fair, greedy_schedule(fair).meetings) == []
    assert plan.stats.objective <= score_bound(fair) + 1e-6
    held = {(m.supplier_id, m.buyer_id) for m in plan.meetings}
    assert {f"required pair {s}-{b} has no meeting" for s, b in plan.stats.required_missing} == set(
        missing_required(fair, plan.meetings)
    )
    assert all((s, b) not in held for s, b in plan.stats.required_missing)


@settings(max_examples=60, deadline=None)
@given(fairs(), st.randoms(use_true_random=False))
def test_replan_after_random_cancellations_is_valid(fair: FairInput, rnd: random.Random) -> None:
    before = schedule(fair)
    gone = {p.id for p in fair.participants if rnd.random() < 0.3}
    after = _without(fair, gone)
    plan = replan(before.meetings, after)
    assert check_plan(after, plan.meetings) == []
    assert plan.stats.moved == 0  # cancelling never makes a remaining meeting infeasible


def _without(fair: FairInput, gone: set[int]) -> FairInput:
    return replace(
        fair,
        participants=tuple(p for p in fair.participants if p.id not in gone),
        candidates=tuple(
            c for c in fair.candidates if c.supplier_id not in gone and c.buyer_id not in gone
        ),
    )


def _valid_plan() -> tuple[FairInput, list[Placement]]:
    fair = make_fair(seed=3)
    meetings = list(schedule(fair).meetings)
    assert check_plan(fair, meetings) == [] and len(meetings) > 10
    return fair, meetings


def _participant(fair: FairInput, pid: int) -> Attendee:
    return next(p for p in fair.participants if p.id == pid)


def _twin_at_other_supplier(fair: FairInput, ms: list[Placement]) -> Placement:
    return replace(ms[0], supplier_id=_free_supplier(fair, ms, ms[0].slot))


INJECTIONS: dict[str, Callable[[FairInput, list[Placement]], list[Placement]]] = {
    "slot outside": lambda fair, ms: [*ms, replace(ms[0], slot=fair.n_slots)],
    "table outside": lambda fair, ms: [replace(ms[0], table=fair.n_tables), *ms[1:]],
    "table double-booked": lambda fair, ms: [*ms, _twin_at_other_supplier(fair, ms)],
    "is double-booked": lambda fair, ms: [*ms, replace(ms[0], table=fair.n_tables - 1)],
    "meets 2 times": lambda fair, ms: [*ms, replace(ms[0], slot=(ms[0].slot + 1) % fair.n_slots)],
    "not a candidate": lambda fair, ms: [replace(ms[0], buyer_id=_stranger(fair, ms[0])), *ms[1:]],
    "meetings, cap": lambda fair, ms: ms + _over_cap(fair, ms),
}


def _free_supplier(fair: FairInput, ms: list[Placement], slot: int) -> int:
    busy = {m.supplier_id for m in ms if m.slot == slot}
    return next(p.id for p in fair.participants if p.role == "supplier" and p.id not in busy)


def _stranger(fair: FairInput, m: Placement) -> int:
    pairs = {(c.supplier_id, c.buyer_id) for c in fair.candidates}
    return next(
        p.id for p in fair.participants if p.role == "buyer" and (m.supplier_id, p.id) not in pairs
    )


def _over_cap(fair: FairInput, ms: list[Placement]) -> list[Placement]:
    first = ms[0]
    cap = _participant(fair, first.supplier_id).max_meetings
    return [replace(first, slot=100 + i) for i in range(cap)]


@pytest.mark.parametrize("kind", sorted(INJECTIONS))
def test_checker_reports_injected_violation(kind: str) -> None:
    fair, meetings = _valid_plan()
    problems = check_plan(fair, INJECTIONS[kind](fair, meetings))
    assert any(kind in p for p in problems), problems


def test_checker_reports_unavailable_slot_and_break() -> None:
    fair = FairInput(
        n_slots=3,
        n_tables=2,
        participants=(
            Attendee(1, "supplier", 3, available=frozenset({0})),
            Attendee(2, "buyer", 3),
        ),
        candidates=(Candidate(1, 2, 0.5),),
        breaks=frozenset({2}),
    )
    assert check_plan(fair, [Placement(1, 2, 0, 0, 0.5)]) == []
    [problem] = check_plan(fair, [Placement(1, 2, 1, 0, 0.5)])
    assert "participant 1 is not available" in problem
    assert any("break" in p for p in check_plan(fair, [Placement(1, 2, 2, 0, 0.5)]))


def test_same_input_in_any_order_gives_identical_plan() -> None:
    fair = make_fair(suppliers=40, buyers=40, slots=6, tables=12, per_buyer=6, seed=5)
    shuffled = list(fair.candidates)
    random.Random(0).shuffle(shuffled)
    people = list(fair.participants)[::-1]
    other = replace(fair, candidates=tuple(shuffled), participants=tuple(people))
    assert schedule(fair).meetings == schedule(fair).meetings == schedule(other).meetings


def test_participant_with_one_weak_candidate_still_gets_a_meeting() -> None:
    # One slot: the best score alone (1-10) would leave supplier 2 and buyer 12 without any.
    fair = FairInput(
        n_slots=1,
        n_tables=2,
        participants=(
            Attendee(1, "supplier", 1),
            Attendee(2, "supplier", 1),
            Attendee(10, "buyer", 1),
            Attendee(12, "buyer", 1),
        ),
        candidates=(Candidate(1, 10, 0.9), Candidate(1, 12, 0.05), Candidate(2, 10, 0.8)),
    )
    assert greedy_schedule(fair).stats.unmatched == (2, 12)
    plan = schedule(fair)
    assert plan.stats.unmatched == ()
    assert {(m.supplier_id, m.buyer_id) for m in plan.meetings} == {(1, 12), (2, 10)}


def test_required_pair_is_placed_over_better_scores() -> None:
    fair = FairInput(
        n_slots=1,
        n_tables=3,
        participants=(
            Attendee(1, "supplier", 1),
            Attendee(10, "buyer", 1),
            Attendee(11, "buyer", 1),
        ),
        candidates=(Candidate(1, 10, 0.95), Candidate(1, 11, 0.1, required=True)),
    )
    plan = schedule(fair)
    assert [(m.supplier_id, m.buyer_id) for m in plan.meetings] == [(1, 11)]
    assert plan.stats.required_missing == ()
    assert missing_required(fair, plan.meetings) == []


def test_caps_availability_and_breaks_are_respected() -> None:
    fair = FairInput(
        n_slots=6,
        n_tables=5,
        participants=(
            Attendee(1, "supplier", 2, available=frozenset({0, 1, 2})),
            Attendee(2, "supplier", 6),
            *(Attendee(b, "buyer", 6) for b in range(10, 16)),
        ),
        candidates=tuple(Candidate(s, b, 0.5 + 0.01 * b) for s in (1, 2) for b in range(10, 16)),
        breaks=frozenset({1, 4}),
    )
    plan = schedule(fair)
    assert check_plan(fair, plan.meetings) == []
    assert all(m.slot not in {1, 4} for m in plan.meetings)
    ones = [m for m in plan.meetings if m.supplier_id == 1]
    assert len(ones) == 2 and {m.slot for m in ones} == {0, 2}
    assert sum(m.supplier_id == 2 for m in plan.meetings) == 4  # 4 slots left after breaks


def test_replan_after_cancellations_keeps_remaining_meetings_in_place() -> None:
    fair = make_fair(suppliers=60, buyers=60, slots=8, tables=25, per_buyer=8, seed=9)
    before = schedule(fair)
    after = _without(fair, set(range(0, 120, 17)))
    plan = replan(before.meetings, after)
    assert check_plan(after, plan.meetings) == []
    present = {p.id for p in after.participants}
    remaining = {m for m in before.meetings if {m.supplier_id, m.buyer_id} <= present}
    assert remaining <= set(plan.meetings)
    assert plan.stats.moved == 0
    assert plan.stats.objective >= sum(m.score for m in remaining)


def test_replan_moves_only_meetings_that_became_infeasible() -> None:
    fair = make_fair(suppliers=30, buyers=30, slots=6, tables=12, per_buyer=6, seed=4)
    before = schedule(fair)
    busy = before.meetings[0].supplier_id
    person = _participant(fair, busy)
    late = replace(person, available=frozenset({fair.n_slots - 1}))
    after = replace(
        fair, participants=tuple(late if p.id == busy else p for p in fair.participants)
    )
    plan = replan(before.meetings, after)
    assert check_plan(after, plan.meetings) == []
    lost = [m for m in before.meetings if m.supplier_id == busy and m.slot != fair.n_slots - 1]
    assert plan.stats.moved == len(lost) > 0
    assert set(before.meetings) - set(lost) <= set(plan.meetings)


def test_300_by_300_fair_is_valid_and_beats_greedy() -> None:
    fair = make_fair(suppliers=300, buyers=300, slots=8, tables=150, per_buyer=12, seed=2)
    plan = schedule(fair)
    greedy = greedy_schedule(fair)
    assert check_plan(fair, plan.meetings) == []
    assert plan.stats.objective >= greedy.stats.objective
    assert len(plan.stats.unmatched) <= len(greedy.stats.unmatched)
    assert plan.stats.objective <= score_bound(fair) + 1e-6


@pytest.mark.parametrize(
    ("fair", "message"),
    [
        (FairInput(1, 1, (Attendee(1, "supplier", 1),) * 2, ()), "given twice"),
        (FairInput(1, 1, (Attendee(1, "supplier", 1),), (Candidate(1, 2, 0.5),)), "known"),
        (
            FairInput(
                1,
                1,
                (Attendee(1, "supplier", 1), Attendee(2, "buyer", 1)),
                (Candidate(1, 2, 1.5),),
            ),
            "outside [0, 1]",
        ),
        (FairInput(2, 1, (Attendee(1, "buyer", 1, frozenset({2})),), ()), "unknown slot"),
    ],
)
def test_inconsistent_input_is_rejected(fair: FairInput, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        schedule(fair)
