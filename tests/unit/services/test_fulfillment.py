"""Fulfillment determination in flows, holds, and the backorder release job (fakes of our ports)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.orders.preferences import FulfillmentProcessMode, OrderHandlingPreferences
from services.errors import NotAllowed
from services.jobs import JobStatus
from services.orders import operations
from services.orders.commands import CancelOrder, PlaceOrder
from services.orders.intake import place_order
from tests.support.hub import Hub, make_hub

D = Decimal


def place(hub: Hub, external_id: str, lines: list[tuple[str, int]], **extra: Any) -> str:
    body = {
        "channel": "web", "externalOrderId": external_id, "customerId": "C-1",
        "currency": "USD", "shipTo": {"country": "US"},
        "lines": [{"productId": p, "quantity": q} for p, q in lines], **extra,
    }  # fmt: skip
    return place_order(PlaceOrder.model_validate(body), hub.engine).order_id


def optimizing_flow(hub: Hub, action: str = "Send to Fulfillment Optimization") -> None:
    hub.flow("Optimize", [
        {"stepId": "validate", "name": "Validate", "action": "Validate Order Header",
         "inputEvents": ["New Order"]},
        {"stepId": "source", "name": "Source", "action": action,
         "inputEvents": ["Validation of Order Header has Succeeded"]},
        {"stepId": "notify", "name": "Ship released lines", "action": "Custom",
         "provider": "3pl", "providerAction": "Ship", "inputEvents": ["Backorder Released"]},
    ])  # fmt: skip


def state(hub: Hub, order_id: str, line_id: str | None = None) -> tuple[str, str]:
    order = operations.get_order(hub.engine, order_id)
    entity = order.line(line_id) if line_id else order
    return entity.state.value, entity.reason


def test_the_optimizer_creates_fulfillment_orders_and_backorders_what_is_short():
    hub = make_hub()
    hub.stock.available.update({("SEA", "A"): D(5), ("PDX", "A"): D(5), ("SEA", "B"): D(1)})
    hub.stock.supply_dates["B"] = datetime(2026, 12, 1, tzinfo=UTC)
    optimizing_flow(hub)
    order_id = place(hub, "1", [("A", 8), ("B", 3)])

    hub.drain()

    order = operations.get_order(hub.engine, order_id)
    assert [
        (fo.source_id, [(fl.line_id, fl.quantity) for fl in fo.lines])
        for fo in order.fulfillment_orders
    ] == [  # fmt: skip
        ("SEA", [("0001", D(5)), ("0002", D(1))]),
        ("PDX", [("0001", D(3))]),
    ]
    assert state(hub, order_id, "0001") == ("Fulfillment in Process", "Fulfillment Order Created")
    assert state(hub, order_id, "0002") == ("On Hold", "Backorder Hold")
    short = order.line("0002")
    assert (short.quantity_backordered, str(short.availability_date)) == (D(2), "2026-12-01")
    assert state(hub, order_id) == ("In Progress", "Fulfillment Determined")
    assert [h.line_id for h in hub.held.held("B", 10)] == ["0002"]


def test_with_backorders_off_a_short_line_is_inventory_not_found():
    hub = make_hub()
    hub.preferences.save(OrderHandlingPreferences(backorders=False))
    optimizing_flow(hub)
    order_id = place(hub, "1", [("A", 1)])

    hub.drain()

    assert state(hub, order_id, "0001") == ("On Hold", "Inventory not found")
    assert state(hub, order_id) == ("On Hold", "Inventory not found")
    assert hub.held.lines == {}


def test_release_job_releases_first_come_first_served_and_cancels_past_the_sla():
    hub = make_hub()
    optimizing_flow(hub)
    stale = place(hub, "old", [("B", 2)])
    hub.drain()
    hub.clock.advance(8 * 86400)  # past the default 7-day SLA for the first order
    first = place(hub, "first", [("A", 4)])
    hub.clock.advance(60)
    second = place(hub, "second", [("A", 1)])
    hub.drain()
    hub.stock.available[("SEA", "A")] = D(3)  # enough for the second, not the first
    hub.supply.products.append("A")

    blocked = hub.release_job().run("api")

    assert (blocked.status, blocked.released, blocked.cancelled) == (JobStatus.SUCCEEDED, 0, 1)
    assert state(hub, stale, "0001") == ("Canceled", "Canceled")
    assert state(hub, second, "0001") == ("On Hold", "Backorder Hold")
    hub.stock.available[("SEA", "A")] += D(2)
    hub.supply.products.append("A")

    run = hub.release_job().run("timer")
    hub.drain()

    assert (run.examined, run.released, run.cancelled) == (2, 2, 0)
    assert state(hub, first, "0001") == ("In Progress", "Backorder Released")
    released = operations.get_order(hub.engine, first)
    assert [fl.quantity for fo in released.fulfillment_orders for fl in fo.lines] == [D(4)]
    notify = [r for r in released.step_results if r.step_id == "notify"]
    assert notify[-1].status.value == "Failed"  # no 3PL provider yet, but the flow went on
    assert hub.held.lines == {}
    assert len(hub.job_log.runs("backorder-release", None, 10).runs) == 2


@pytest.mark.parametrize(
    ("mode", "stock", "line", "step"),
    [
        (FulfillmentProcessMode.ON_HAND_CHECK, 5, ("In Progress", "Ready to be Fulfilled"),
         "Succeeded"),
        (FulfillmentProcessMode.ON_HAND_CHECK, 1, ("In Progress", "Ready to be Fulfilled"),
         "Failed"),
        (FulfillmentProcessMode.CREATE_FULFILLMENT_ORDERS, 0,
         ("Fulfillment in Process", "Fulfillment Order Created"), "Succeeded"),
        (FulfillmentProcessMode.CHECK_AND_CREATE, 5,
         ("Fulfillment in Process", "Fulfillment Order Created"), "Succeeded"),
        (FulfillmentProcessMode.CHECK_AND_CREATE, 1, ("On Hold", "Backorder Hold"), "Succeeded"),
    ],
)  # fmt: skip
def test_the_policy_based_process_request_in_each_mode(mode, stock, line, step):
    hub = make_hub()
    hub.preferences.save(OrderHandlingPreferences(fulfillment_process=mode))
    hub.stock.available[("PDX", "A")] = D(stock)
    assign = hub.policy(
        name="Ship from PDX", type="Execution", entity="Order product",
        rules=[{"name": "all", "condition": "quantity gt 0",
                "actions": [{"field": "fulfillmentSource", "value": "PDX"}]}],
    )  # fmt: skip
    hub.flow("Policy based", [
        {"stepId": "assign", "name": "Assign", "action": "Assign by Policy",
         "inputEvents": ["New Order"], "executionPolicies": [assign]},
        {"stepId": "request", "name": "Process request",
         "action": "Send Fulfillment Process Request",
         "inputEvents": ["Assignment by Policy has Succeeded"]},
    ])  # fmt: skip
    order_id = place(hub, "1", [("A", 2)])

    hub.drain()

    order = operations.get_order(hub.engine, order_id)
    assert state(hub, order_id, "0001") == line
    assert order.step_results[-1].status.value == step
    if mode == FulfillmentProcessMode.ON_HAND_CHECK:
        assert order.fulfillment_orders == []


def test_a_process_request_without_assigned_sources_fails_and_says_which_lines():
    hub = make_hub()
    hub.flow("Unassigned", [
        {"stepId": "request", "name": "Process request",
         "action": "Send Fulfillment Process Request", "inputEvents": ["New Order"]},
    ])  # fmt: skip
    order_id = place(hub, "1", [("A", 2)])

    hub.drain()

    result = operations.get_order(hub.engine, order_id).step_results[-1]
    assert result.status.value == "Failed"
    assert "0001 have no fulfillment source" in (result.details or "")


def test_a_repeated_optimization_reserves_nothing_twice():
    hub = make_hub()
    hub.stock.available[("SEA", "A")] = D(10)
    optimizing_flow(hub)
    order_id = place(hub, "1", [("A", 4)])
    hub.drain()
    reserved_before = dict(hub.stock.reserved)
    operations.raise_event(hub.engine, order_id, "Validation of Order Header has Succeeded",
                           None, "test")  # fmt: skip
    hub.drain()

    assert hub.stock.reserved == reserved_before
    assert hub.stock.available[("SEA", "A")] == D(6)


def test_canceling_a_sourced_line_gives_its_stock_back():
    hub = make_hub()
    hub.stock.available.update({("SEA", "A"): D(3), ("SEA", "B"): D(1)})
    optimizing_flow(hub)
    order_id = place(hub, "1", [("A", 2), ("B", 3)])
    hub.drain()
    assert hub.stock.available[("SEA", "B")] == D(0)

    operations.cancel(hub.engine, order_id, CancelOrder(line_ids=["0002"]))  # held: 1 reserved
    with pytest.raises(NotAllowed):
        operations.cancel(hub.engine, order_id, CancelOrder(line_ids=["0001"]))

    assert hub.stock.available[("SEA", "B")] == D(1)  # given back
    assert hub.stock.available[("SEA", "A")] == D(1)  # line 1 is with its source: kept
    order = operations.get_order(hub.engine, order_id)
    assert state(hub, order_id, "0002") == ("Canceled", "Canceled")
    assert order.line("0002").quantity_canceled == D(3)


def test_reservation_references_fit_the_inventory_limit_and_stay_distinct():
    from services.fulfillment_lines import MAX_REFERENCE_CHARS, reservation_reference

    short = reservation_reference("order", "0001", "SEA", "1")
    long_a = reservation_reference("o" * 36, "0001", "S" * 64, "job-" + "r" * 36)
    long_b = reservation_reference("o" * 36, "0001", "S" * 64, "job-" + "q" * 36)

    assert short == "order|0001|SEA|1"
    assert max(len(long_a), len(long_b)) <= MAX_REFERENCE_CHARS
    assert long_a != long_b


def test_a_preorder_waits_for_its_launch_date_then_is_released_like_a_backorder():
    hub = make_hub()
    hub.stock.available.update({("SEA", "A"): D(5), ("SEA", "N"): D(5)})
    optimizing_flow(hub)
    launch = (hub.clock.now() + timedelta(days=3)).date().isoformat()
    body_lines = [{"productId": "A", "quantity": 1},
                  {"productId": "N", "quantity": 2, "launchDate": launch}]  # fmt: skip
    command = PlaceOrder.model_validate({
        "channel": "web", "externalOrderId": "pre", "customerId": "C-1", "currency": "USD",
        "shipTo": {"country": "US"}, "lines": body_lines,
    })  # fmt: skip
    order_id = place_order(command, hub.engine).order_id
    hub.drain()

    assert state(hub, order_id, "0002") == ("On Hold", "Preorder Hold")
    assert state(hub, order_id, "0001") == ("Fulfillment in Process", "Fulfillment Order Created")
    assert hub.stock.available[("SEA", "N")] == D(5)  # nothing reserved before launch
    early = hub.release_job().run("timer")
    assert (early.released, state(hub, order_id, "0002")[1]) == (0, "Preorder Hold")

    hub.clock.advance(3 * 86400 + 1)
    run = hub.release_job().run("timer")

    assert run.released == 1
    assert state(hub, order_id, "0002") == ("In Progress", "Backorder Released")
    assert hub.stock.available[("SEA", "N")] == D(3)


def test_two_release_runs_at_once_release_a_line_once_and_give_back_the_extra_stock():
    hub = make_hub()
    optimizing_flow(hub)
    order_id = place(hub, "1", [("A", 2)])
    hub.drain()
    hub.stock.available[("SEA", "A")] = D(10)
    hub.supply.products.append("A")
    first = hub.release_job()

    class FirstRunWinsWhileWeReserve:
        """The second run's stock: the first run completes between its planning and commit."""

        def __getattr__(self, name: str) -> Any:
            return getattr(hub.stock, name)

        def reserve_allocations(self, allocations):
            assert first.run("timer").released == 1
            return hub.stock.reserve_allocations(allocations)

    second = replace(hub.release_job(), stock=FirstRunWinsWhileWeReserve())
    late = second.run("api")

    assert late.released == 0
    assert hub.stock.available[("SEA", "A")] == D(8)  # only the first run's 2 stay reserved
    assert state(hub, order_id, "0001") == ("In Progress", "Backorder Released")
    order = operations.get_order(hub.engine, order_id)
    assert [fl.quantity for fo in order.fulfillment_orders for fl in fo.lines] == [D(2)]
