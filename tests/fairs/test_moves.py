"""Meetings moved and locked by hand: the move rule agrees with the independent checker, and a
re-plan keeps locked meetings in place (checked by the checker's own locked rule)."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from service.fairs.scheduling import (
    Attendee,
    Candidate,
    FairInput,
    Placement,
    check_locked,
    check_plan,
    free_cells,
    move_problem,
    replan,
    schedule,
)
from tests.fairs.test_scheduler import fairs, make_fair


def _moved(meetings: tuple[Placement, ...], m: Placement, slot: int, table: int) -> list[Placement]:
    return [replace(x, slot=slot, table=table) if x == m else x for x in meetings]


@settings(max_examples=120, deadline=None)
@given(fairs(), st.randoms(use_true_random=False))
def test_a_move_is_allowed_exactly_when_the_checker_finds_the_moved_plan_valid(
    fair: FairInput, rnd: random.Random
) -> None:
    plan = schedule(fair)
    if not plan.meetings or fair.n_tables == 0:
        return
    m = rnd.choice(plan.meetings)
    pair = (m.supplier_id, m.buyer_id)
    cells = set(free_cells(fair, plan.meetings, pair))
    for slot in range(fair.n_slots):
        for table in range(fair.n_tables):
            allowed = move_problem(fair, plan.meetings, pair, slot, table) is None
            valid = check_plan(fair, _moved(plan.meetings, m, slot, table)) == []
            assert allowed == valid == ((slot, table) in cells)
    assert (m.slot, m.table) in cells


def test_refused_moves_say_why() -> None:
    fair = FairInput(
        n_slots=4,
        n_tables=2,
        participants=(
            Attendee(0, "supplier", 4),
            Attendee(1, "supplier", 4),
            Attendee(2, "buyer", 4),
            Attendee(3, "buyer", 4, available=frozenset({0, 2})),
        ),
        candidates=tuple(Candidate(s, b, 0.5) for s in (0, 1) for b in (2, 3)),
        breaks=frozenset({1}),
    )
    a, b, c = Placement(0, 2, 3, 0, 0.5), Placement(1, 3, 2, 1, 0.5), Placement(0, 3, 0, 1, 0.5)
    plan = [a, b, c]
    assert check_plan(fair, plan) == []
    assert move_problem(fair, plan, (0, 2), 1, 0) == "slot 1 is a break"
    assert move_problem(fair, plan, (1, 3), 3, 0) == "participant 3 is not available in slot 3"
    assert move_problem(fair, plan, (1, 3), 0, 0) == "participant 3 already meets in slot 0 (0-3)"
    assert move_problem(fair, plan, (0, 2), 2, 1) == "table 1 is taken in slot 2 (1-3)"
    assert move_problem(fair, plan, (0, 2), 4, 0) == "slot 4 is outside 0..3"
    assert move_problem(fair, plan, (0, 2), 0, 2) == "table 2 is outside 0..1"
    assert move_problem(fair, plan, (0, 2), 2, 0) is None
    assert free_cells(fair, plan, (0, 2)) == [(2, 0), (3, 0), (3, 1)]


@settings(max_examples=60, deadline=None)
@given(fairs(), st.randoms(use_true_random=False))
def test_replan_keeps_every_locked_meeting_that_still_fits(
    fair: FairInput, rnd: random.Random
) -> None:
    before = schedule(fair)
    locked = tuple(replace(m, locked=rnd.random() < 0.5) for m in before.meetings)
    shrunk = replace(
        fair,
        participants=tuple(
            replace(p, max_meetings=max(0, p.max_meetings - rnd.randint(0, 1)))
            for p in fair.participants
        ),
    )
    plan = replan(locked, shrunk)
    assert check_plan(shrunk, plan.meetings) == []
    assert check_locked(shrunk, locked, plan.meetings) == []
    kept = {(m.supplier_id, m.buyer_id) for m in plan.meetings if m.locked}
    assert kept <= {(m.supplier_id, m.buyer_id) for m in locked if m.locked}


def test_moved_and_locked_meetings_stay_while_the_rest_is_replanned() -> None:
    fair = make_fair(suppliers=40, buyers=40, slots=8, tables=30, per_buyer=6, seed=11)
    plan = schedule(fair)
    meetings = list(plan.meetings)
    hand: list[Placement] = []
    for m in meetings[:3]:
        pair = (m.supplier_id, m.buyer_id)
        slot, table = next(c for c in free_cells(fair, meetings, pair) if c != (m.slot, m.table))
        moved = replace(m, slot=slot, table=table, locked=True)
        meetings = [moved if x == m else x for x in meetings]
        hand.append(moved)
    assert check_plan(fair, meetings) == []
    # a late cancellation frees room; the re-plan must not touch the hand-placed meetings
    gone = next(
        p.id
        for p in fair.participants
        if p.id not in {x for m in hand for x in (m.supplier_id, m.buyer_id)}
    )
    after = replace(
        fair,
        participants=tuple(p for p in fair.participants if p.id != gone),
        candidates=tuple(c for c in fair.candidates if gone not in (c.supplier_id, c.buyer_id)),
    )
    again = replan(meetings, after)
    assert check_plan(after, again.meetings) == []
    assert check_locked(after, meetings, again.meetings) == []
    assert set(hand) <= set(again.meetings)
    assert again.stats.moved == 0


def test_checker_reports_a_locked_meeting_that_was_dropped() -> None:
    fair = make_fair(seed=3)
    plan = schedule(fair)
    locked = [replace(m, locked=True) if i == 0 else m for i, m in enumerate(plan.meetings)]
    dropped = locked[1:]
    m = locked[0]
    assert check_locked(fair, locked, dropped) == [
        f"locked meeting {m.supplier_id}-{m.buyer_id} at slot {m.slot} table {m.table} "
        "was not kept in place"
    ]
    assert check_locked(fair, locked, locked) == []
