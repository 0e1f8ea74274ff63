"""Passes, alternates, write-ins, unknown ship-to, ties, reasons, cost and determinism."""

import random
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

A10, B100, C300 = source("A", 10), source("B", 100), source("C", 300)


def test_soft_single_source_tries_one_then_falls_back_to_several():
    snap = snapshot([A10, B100], {("A", "P1"): 5, ("B", "P2"): 3, ("B", "P3"): 3})
    req = request(("1", "P1", 5), ("2", "P2", 3), ("3", "P3", 3))
    result = plan(req, snap, strategy(rule(K.MAX_SOURCES_PER_ORDER, 1, hard=False)))
    # Pass 1 opens the one source that fills most (B: 6 units); pass 2 sources line 1 at A.
    assert [takes(result, i) for i in "123"] == [[("A", 5)], [("B", 3)], [("B", 3)]]
    assert result.passes == 2
    assert said(result, "soft constraint 'one source per order' relaxed in pass 2", "1")
    assert not said(result, "relaxed", "2")  # pass 2 re-plans only lines still short


def test_pass_two_keeps_pass_one_allocations_and_their_stock():
    snap = snapshot([A10, B100], {("A", "P1"): 4, ("B", "P1"): 10})
    req = request(("1", "P1", 6), ("2", "P1", 6))
    result = plan(req, snap, strategy(rule(K.MAX_SOURCES_PER_ORDER, 1, hard=False)))
    assert takes(result, "1") == [("B", 6)]
    assert takes(result, "2") == [("B", 4), ("A", 2)]
    assert sum(q for _, q in takes(result, "1") + takes(result, "2")) == 12


def test_hard_constraints_still_apply_in_pass_two():
    snap = snapshot([A10, B100], {("A", "P1"): 5, ("B", "P2"): 5})
    constraints = [rule(K.MAX_SOURCES_PER_ORDER, 1), rule(K.SAFETY_STOCK, hard=False)]
    req = request(("1", "P1", 5), ("2", "P2", 5))
    result = plan(req, snap, strategy(*constraints))
    assert result.passes == 2
    assert len(result.sources_used) == 1


def test_alternate_strategy_plans_what_the_first_could_not():
    snap = snapshot([A10, B100], {("A", "P1"): 2, ("B", "P1"): 9})
    primary = strategy(name="Local", ids=("A",), alternate="Backup")
    backup = strategy(name="Backup", ids=("B",))
    result = plan(request(("1", "P1", 6)), snap, primary, {"Backup": backup})
    assert takes(result) == [("A", 2), ("B", 4)]
    assert said(result, "planned by alternate strategy 'Backup'")
    assert result.strategy == "Local"
    assert result.passes == 2


@pytest.mark.parametrize(
    ("strategies", "reason"),
    [({}, "alternate strategy 'Backup' not found"), (None, "alternate strategy 'Backup' not")],
)
def test_missing_alternate_is_reported(strategies, reason):
    snap = snapshot([A10], {("A", "P1"): 2})
    primary = strategy(name="Local", ids=("A",), alternate="Backup")
    result = plan(request(("1", "P1", 6)), snap, primary, strategies)
    assert line(result).status is LineSourcing.PARTIALLY_SOURCED
    assert said(result, reason)


def test_alternates_that_loop_stop():
    snap = snapshot([A10], {("A", "P1"): 0})
    first = strategy(name="One", ids=("A",), alternate="Two")
    second = strategy(name="Two", ids=("A",), alternate="One")
    result = plan(request(("1", "P1", 1)), snap, first, {"One": first, "Two": second})
    assert result.passes == 2
    assert line(result).status is LineSourcing.NOT_SOURCED


@pytest.mark.parametrize(
    ("product", "penalty", "where", "reason"),
    [
        (None, 0, "B", "B: write-in product, placed by source priority 1 (stock assumed)"),
        ("P-X", 0, "B", "B: product without stock records, placed by source priority 1"),
        (None, 50, "A", "A: write-in product, shipped with the order's other lines"),
    ],
)
def test_write_ins_and_unknown_products_assume_stock_and_follow_priority(
    product, penalty, where, reason
):
    near, first = source("A", 10, priority=5), source("B", 100, priority=1)
    snap = snapshot([near, first], {("A", "P1"): 5})
    req = request(("1", "P1", 5), ("2", product, 3))
    result = plan(req, snap, strategy(ids=("A", "B"), penalty=penalty))
    assert takes(result, "2") == [(where, 3)]
    assert line(result, "2").status is LineSourcing.FULLY_SOURCED
    assert said(result, reason, "2")


def test_known_product_without_stock_is_not_sourced():
    snap = snapshot([A10], {("A", "P9"): 0})
    result = plan(request(("1", "P9", 2)), snap, strategy(ids=("A",)))
    assert line(result).status is LineSourcing.NOT_SOURCED
    assert said(result, "not sourced: no eligible source has P9")


@pytest.mark.parametrize(
    ("constraints", "status", "reason"),
    [
        ([rule(K.MAX_DISTANCE, Decimal(50))], LineSourcing.EXCEPTION, "no ship-to location"),
        ([rule(K.MAX_DISTANCE, Decimal(50), hard=False)], LineSourcing.FULLY_SOURCED, "relaxed"),
        ([], LineSourcing.FULLY_SOURCED, "A: chosen by priority 1 (ship-to location unknown)"),
    ],
)
def test_without_ship_to_distance_is_unknown(constraints, status, reason):
    first, other = source("A", 500, priority=1), source("B", 10, priority=2)
    snap = snapshot([first, other], {("A", "P1"): 5, ("B", "P1"): 5})
    result = plan(request(("1", "P1", 5), ship_to=None), snap, strategy(*constraints))
    assert line(result).status is status
    assert said(result, reason)
    assert all(a.distance_km is None for a in line(result).allocations)
    assert result.total_cost == 0


@pytest.mark.parametrize("quantity", ["0", "-2"])
def test_quantity_not_positive_is_an_exception(quantity):
    snap = snapshot([A10], {("A", "P1"): 5})
    result = plan(request(("1", "P1", quantity), ("2", "P1", 1)), snap, strategy())
    assert line(result).status is LineSourcing.EXCEPTION
    assert said(result, f"exception: quantity {quantity} is not positive")
    assert line(result, "2").status is LineSourcing.FULLY_SOURCED


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ({"priority": 2}, {"priority": 1}, "B"),  # same distance: higher priority
        ({"priority": 1}, {"priority": 1}, "A"),  # same distance and priority: source id
    ],
)
def test_equal_cost_ties_go_to_priority_then_id(first, second, expected):
    pair = [source("A", 50, **first), source("B", 50, **second)]
    snap = snapshot(pair, {("A", "P1"): 9, ("B", "P1"): 9})
    assert takes(plan(request(("1", "P1", 5)), snap, strategy(ids=("A", "B")))) == [(expected, 5)]


def test_equal_cost_prefers_fewer_splits_over_priority():
    pair = [source("A", 50, priority=1), source("B", 50, priority=2)]
    snap = snapshot(pair, {("A", "P1"): 5, ("B", "P1"): 10})
    assert takes(plan(request(("1", "P1", 10)), snap, strategy(ids=("A", "B")))) == [("B", 10)]


def test_penalty_trades_distance_for_fewer_sources():
    snap = snapshot([A10, B100], {("A", "P1"): 5, ("B", "P1"): 5, ("B", "P2"): 5})
    req = request(("1", "P1", 5), ("2", "P2", 5))
    cheap = plan(req, snap, strategy(penalty=100))
    dear = plan(req, snap, strategy(penalty=1000))
    assert cheap.sources_used == ["A", "B"]
    assert cheap.total_cost == Decimal("650.000")
    assert dear.sources_used == ["B"]
    assert dear.total_cost == Decimal("1000.000")
    assert said(dear, "B: 100 km, chosen over nearer A to ship from fewer sources")


def test_every_allocation_and_exclusion_has_a_reason():
    shut = source("D", 5, active=False)
    snap = snapshot(
        [A10, B100, C300, shut],
        {("A", "P1"): 2, ("B", "P1"): 3, ("C", "P1"): 9, ("D", "P1"): 9, ("A", "P2"): 1},
    )
    strat = strategy(rule(K.MAX_DISTANCE, Decimal(200)), ids=("A", "B", "C", "D", "Z"))
    result = plan(request(("1", "P1", 6), ("2", "P2", 4), ("3", "P3", 1)), snap, strat)
    for lp in result.lines:
        for allocation in lp.allocations:
            assert any(r.startswith(f"{allocation.source_id}: ") for r in lp.reasons)
    assert said(result, "D excluded: deactivated")
    assert said(result, "C excluded: 300 km")
    assert said(result, "split over 2 sources: no single source had 6")
    assert said(result, "partially sourced: 1 of 6 not available from eligible sources")
    assert said(result, "partially sourced: 3 of 4", "2")
    assert said(result, "Z excluded: not a known fulfillment source", "3")


def test_plans_are_deterministic_whatever_the_source_order():
    sources = [source(f"S{i}", 10 + 7 * i, priority=1 + i % 3) for i in range(12)]
    rng = random.Random(7)
    stock = {(s.source_id, f"P{p}"): rng.randint(0, 6) for s in sources for p in range(6)}
    req = request(*[(str(n), f"P{n % 6}", rng.randint(1, 9)) for n in range(8)])
    strat = strategy(ids=[s.source_id for s in sources], penalty=60)
    first = plan(req, snapshot(sources, stock), strat)
    shuffled = sources[:]
    rng.shuffle(shuffled)
    assert plan(req, snapshot(shuffled, stock), strat) == first
    assert plan(req, snapshot(sources, stock), strat) == first
