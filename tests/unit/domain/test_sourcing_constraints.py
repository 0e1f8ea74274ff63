"""Each constraint hard, soft and disabled: what is sourced, in how many passes, and why."""

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from domain.sourcing import LineSourcing
from tests.unit.domain.sourcing_builders import (
    K,
    line,
    plan,
    request,
    rule,
    said,
    snapshot,
    source,
    strategy,
    takes,
)

FULL, PART, NONE = (
    LineSourcing.FULLY_SOURCED,
    LineSourcing.PARTIALLY_SOURCED,
    LineSourcing.NOT_SOURCED,
)
A10, B100, C300 = source("A", 10), source("B", 100), source("C", 300)
RELAXED = "relaxed in pass 2"


def _distance(mode):
    snap = snapshot([A10, B100, C300], {("A", "P1"): 5, ("B", "P1"): 10, ("C", "P1"): 20})
    return request(("1", "P1", 20)), snap, [rule(K.MAX_DISTANCE, Decimal(200), **mode)]


def _partial(mode):
    snap = snapshot([A10, B100], {("A", "P1"): 5, ("B", "P2"): 2})
    req = request(("1", "P1", 5), ("2", "P2", 4))
    return req, snap, [rule(K.NO_PARTIAL_ORDER, **mode)]


def _per_order(mode):
    snap = snapshot([A10, B100], {("A", "P1"): 5, ("B", "P2"): 5})
    req = request(("1", "P1", 5), ("2", "P2", 5))
    return req, snap, [rule(K.MAX_SOURCES_PER_ORDER, 1, **mode)]


def _per_line(mode):
    snap = snapshot([A10, B100], {("A", "P1"): 6, ("B", "P1"): 6})
    return request(("1", "P1", 10)), snap, [rule(K.MAX_SOURCES_PER_LINE, 1, **mode)]


def _cutoff(mode):
    closed = source("A", 10, time_zone="America/Los_Angeles", cutoff_time=time(15, 0))
    snap = snapshot([closed, B100], {("A", "P1"): 5, ("B", "P1"): 5})
    at = datetime(2024, 5, 1, 23, 0, tzinfo=UTC)  # 16:00 in Los Angeles
    return request(("1", "P1", 8), at=at), snap, [rule(K.RESPECT_CUTOFF, **mode)]


def _capacity(mode):
    full = source("A", 10, daily_line_capacity=200)
    snap = snapshot([full, B100], {("A", "P1"): 5, ("B", "P1"): 5}, today={"A": 200})
    return request(("1", "P1", 8)), snap, [rule(K.DAILY_CAPACITY, **mode)]


def _safety(mode):
    kept = source("A", 10, safety_stock=Decimal(5))
    snap = snapshot([kept, B100], {("A", "P1"): 3, ("B", "P1"): 4})
    return request(("1", "P1", 6)), snap, [rule(K.SAFETY_STOCK, **mode)]


HARD, SOFT, OFF = {"hard": True}, {"hard": False}, {"enabled": False}

CASES = [
    # scenario, mode, line 1 allocations, line 1 status, passes, reason fragments on line 1
    (_distance, HARD, [("A", 5), ("B", 10)], PART, 1, ["C excluded: 300 km is over the 200 km"]),
    (_distance, SOFT, [("A", 5), ("B", 10), ("C", 5)], FULL, 2, [RELAXED, "C: next nearest"]),
    (_distance, OFF, [("A", 5), ("B", 10), ("C", 5)], FULL, 1, ["split over 3 sources"]),
    (_partial, HARD, [], NONE, 1, ["partial orders are not allowed"]),
    (_partial, SOFT, [("A", 5)], FULL, 2, ["'no partial orders' relaxed in pass 2"]),
    (_partial, OFF, [("A", 5)], FULL, 1, ["A: nearest eligible source (10 km)"]),
    (_per_order, HARD, [("A", 5)], FULL, 1, ["A: nearest eligible source"]),
    (_per_order, SOFT, [("A", 5)], FULL, 2, ["A: nearest eligible source"]),
    (_per_order, OFF, [("A", 5)], FULL, 1, ["A: nearest eligible source"]),
    (_per_line, HARD, [("A", 6)], PART, 1, ["partially sourced: 4 of 10"]),
    (_per_line, SOFT, [("A", 6), ("B", 4)], FULL, 2, ["'one source per line' relaxed"]),
    (_per_line, OFF, [("A", 6), ("B", 4)], FULL, 1, ["no single source had 10"]),
    (_cutoff, HARD, [("B", 5)], PART, 1, ["A excluded: closed (past 15:00 cut-off in America/"]),
    (_cutoff, SOFT, [("B", 5), ("A", 3)], FULL, 2, [RELAXED]),
    (_cutoff, OFF, [("A", 5), ("B", 3)], FULL, 1, ["A: nearest eligible source"]),
    (_capacity, HARD, [("B", 5)], PART, 1, ["A excluded: daily line capacity 200 reached"]),
    (_capacity, SOFT, [("B", 5), ("A", 3)], FULL, 2, ["'daily line capacity' relaxed"]),
    (_capacity, OFF, [("A", 5), ("B", 3)], FULL, 1, []),
    (_safety, HARD, [("B", 4)], PART, 1, ["A excluded: below safety stock (3 available, safety"]),
    (_safety, SOFT, [("B", 4), ("A", 2)], FULL, 2, ["'safety stock' relaxed in pass 2"]),
    (_safety, OFF, [("A", 3), ("B", 3)], FULL, 1, ["split over 2 sources"]),
]


@pytest.mark.parametrize(("scenario", "mode", "allocated", "status", "passes", "reasons"), CASES)
def test_constraint_modes(scenario, mode, allocated, status, passes, reasons):
    req, snap, constraints = scenario(mode)
    result = plan(req, snap, strategy(*constraints))
    assert takes(result) == allocated
    assert line(result).status is status
    assert result.passes == passes
    for fragment in reasons:
        assert said(result, fragment), line(result).reasons


def test_no_partial_order_hard_holds_back_every_line():
    req, snap, constraints = _partial(HARD)
    result = plan(req, snap, strategy(*constraints))
    assert [lp.status for lp in result.lines] == [NONE, NONE]
    assert result.sources_used == []


def test_one_source_per_order_picks_the_source_that_fills_most():
    snap = snapshot([A10, B100], {("A", "P1"): 5, ("B", "P1"): 5, ("B", "P2"): 5})
    req = request(("1", "P1", 5), ("2", "P2", 5))
    result = plan(req, snap, strategy(rule(K.MAX_SOURCES_PER_ORDER, 1)))
    assert takes(result, "1") == [("B", 5)]
    assert takes(result, "2") == [("B", 5)]
    assert said(result, "B: 100 km, chosen over nearer A to stay within one source per order")


@pytest.mark.parametrize(
    ("constraint_max", "source_max", "list_max", "excluded"),
    [
        (Decimal(500), Decimal(50), None, "B excluded: 100 km is over the 50 km maximum"),
        (Decimal(500), None, Decimal(80), "B excluded: 100 km is over the 80 km maximum"),
        (Decimal(60), Decimal(90), Decimal(80), "B excluded: 100 km is over the 60 km maximum"),
        (None, Decimal(90), None, "B excluded: 100 km is over the 90 km maximum"),
    ],
)
def test_the_smallest_maximum_distance_wins(constraint_max, source_max, list_max, excluded):
    near = source("B", 100, max_distance_km=source_max)
    snap = snapshot([A10, near], {("A", "P1"): 1, ("B", "P1"): 5})
    strat = strategy(rule(K.MAX_DISTANCE, constraint_max), ids=("A", "B"), list_max=list_max)
    result = plan(request(("1", "P1", 5)), snap, strat)
    assert takes(result) == [("A", 1)]
    assert said(result, excluded)


def test_no_distance_constraint_ignores_source_limits():
    near = source("B", 100, max_distance_km=Decimal(50))
    snap = snapshot([near], {("B", "P1"): 5})
    result = plan(request(("1", "P1", 5)), snap, strategy(ids=("B",), list_max=Decimal(20)))
    assert takes(result) == [("B", 5)]


def test_closed_on_a_non_working_day():
    weekdays = source("A", 10, working_days=[0, 1, 2, 3, 4])
    every_day = source("B", 100, working_days=list(range(7)))
    snap = snapshot([weekdays, every_day], {("A", "P1"): 5, ("B", "P1"): 5})
    saturday = datetime(2024, 5, 4, 12, 0, tzinfo=UTC)
    result = plan(request(("1", "P1", 5), at=saturday), snap, strategy(rule(K.RESPECT_CUTOFF)))
    assert takes(result) == [("B", 5)]
    assert said(result, "A excluded: closed (Saturday is not a working day in UTC)")


def test_open_before_the_cutoff():
    early = source("A", 10, cutoff_time=time(15, 0))
    snap = snapshot([early], {("A", "P1"): 5})
    result = plan(request(("1", "P1", 5)), snap, strategy(rule(K.RESPECT_CUTOFF), ids=("A",)))
    assert takes(result) == [("A", 5)]


def test_daily_capacity_counts_the_lines_this_plan_adds():
    tight = source("A", 10, daily_line_capacity=3)
    stock = {("A", "P1"): 5, ("A", "P2"): 5, ("B", "P1"): 5, ("B", "P2"): 5}
    snap = snapshot([tight, B100], stock, today={"A": 2})
    req = request(("1", "P1", 5), ("2", "P2", 5))
    result = plan(req, snap, strategy(rule(K.DAILY_CAPACITY)))
    assert sorted(takes(result, "1") + takes(result, "2")) == [("A", 5), ("B", 5)]


def test_safety_stock_leaves_only_the_excess_sellable():
    kept = source("A", 10, safety_stock=Decimal(5))
    snap = snapshot([kept, B100], {("A", "P1"): 8, ("B", "P1"): 9})
    result = plan(request(("1", "P1", 6)), snap, strategy(rule(K.SAFETY_STOCK)))
    assert takes(result) == [("A", 3), ("B", 3)]
