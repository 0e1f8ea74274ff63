"""The seed scenarios (seed 002) end to end: the real app on devhost and the five simulators.

Each test drives one scenario over HTTP with demo.scenarios (order created at its source, moved
through the external systems' admin endpoints) and checks the order's states and status reasons
in the order the seed describes, and the final status in the source system. The last test checks
the demo's dual-write wiring: F&O's change notifications reach the hub and orders reach Sales.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from demo.journey import Journey
from demo.scenarios import SCENARIOS, run
from demo.world import (
    SALES_CLIENT_ID,
    SALES_TENANT,
    SETTINGS,
    World,
    ok,
)
from tests.e2e.scenario_world import running_world
from tests.support.azurite import Azurite
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

NEW = [("New", "New"), ("In Progress", "Order Validation Success"),
       ("In Progress", "Order Line Validation Success")]  # fmt: skip
SENT = ("Fulfillment in Process", "Sent To Fulfillment")
PICKED, PACKED = ("Fulfillment in Process", "Picked"), ("Fulfillment in Process", "Packed")
DONE = ("Completed", "Fulfilled")


@pytest.fixture(scope="module")
def world(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with running_world(azurite, tmp_path_factory.mktemp("seed") / "host.log") as ready:
        yield ready


def scenario(world: World, number: str) -> Journey:
    name = next(n for n in SCENARIOS if n.startswith(f"{number}."))
    journey = run(world, name)
    assert journey.error is None, journey.error
    return journey


def in_order(events: list[str], expected: list[str]) -> bool:
    """True when the expected events occur in the timeline in this order (others between)."""
    remaining = iter(events)
    return all(any(e == wanted for e in remaining) for wanted in expected)


def test_1_bigcommerce_order_fulfilled_and_invoiced_by_fno(world: World):
    journey = scenario(world, "1")

    assert journey.states() == [
        *NEW, ("In Progress", "Ready to be Fulfilled"), SENT, PICKED, PACKED, DONE,
    ]  # fmt: skip
    assert in_order(journey.events(), [
        "Assignment by Policy has Succeeded", "Send Order to Fulfillment Provider has Succeeded",
        "Order Picked", "Order Packed", "Provider Action has Succeeded", "Order Invoiced",
        "Provider Action has Succeeded",
    ])  # fmt: skip
    assert journey.source_statuses == ["Shipped (2)", "Completed (10)"]


def test_2_bigcommerce_order_shipped_by_flexe_and_invoiced_by_fno(world: World):
    journey = scenario(world, "2")

    # Assignment after shipping leaves the order where it is (no state of its own).
    assert journey.states() == [*NEW, SENT, PICKED, PACKED, DONE]
    assert in_order(journey.events(), [
        "Send Order to Fulfillment Provider has Succeeded", "Order Shipped",
        "Assignment by Policy has Succeeded", "Send Order Lines to Billing has Succeeded",
        "Order Invoiced",
    ])  # fmt: skip
    assert journey.source_statuses == ["Shipped (2)", "Completed (10)"]


def test_6_bigcommerce_order_sourced_by_dom_with_a_backorder_released(world: World):
    journey = scenario(world, "6")

    assert journey.states() == [
        *NEW, ("In Progress", "Ready to be Fulfilled"), ("In Progress", "Fulfillment Determined"),
        ("In Progress", "Backorder Released"), PICKED, PACKED, DONE,
    ]  # fmt: skip
    assert in_order(journey.events(), [
        "Fulfillment optimization request succeeded", "Order Line Backordered",
        "Send Order Lines to Billing has Succeeded", "Backorder Released",
        "Send Order Lines to Billing has Succeeded", "Order Picked", "Order Packed",
        "Order Invoiced",
    ])  # fmt: skip
    assert journey.source_statuses == ["Shipped (2)", "Completed (10)"]


def test_3_fno_order_shipped_by_flexe_and_invoiced_by_fno(world: World):
    journey = scenario(world, "3")

    assert journey.states() == [*NEW, SENT, PICKED, PACKED, DONE]
    assert in_order(journey.events(), [
        "Validation of Order Lines has Succeeded",
        "Send Order to Fulfillment Provider has Succeeded", "Order Shipped",
        "Send Order Lines to Billing has Succeeded", "Order Invoiced",
    ])  # fmt: skip
    assert journey.source_statuses[-1].endswith("Invoiced")


def test_4_fno_order_fulfilled_and_invoiced_by_fno(world: World):
    journey = scenario(world, "4")

    assert journey.states() == [*NEW, PACKED, DONE]
    # F&O's "confirmed" event may come before the pull has brought the order in (then it is
    # dropped as unknown), so the journey starts at validation.
    assert in_order(journey.events(), [
        "Validation of Order Lines has Succeeded", "Order Packed", "Order Invoiced",
        "Awaited Event Received",
    ])  # fmt: skip
    assert journey.source_statuses[-1].endswith("Invoiced")


def test_5_fno_order_shipped_by_flexe_and_invoiced_by_sap(world: World):
    journey = scenario(world, "5")

    assert journey.states() == [*NEW, SENT, PICKED, PACKED, DONE]
    assert in_order(journey.events(), [
        "Send Order to Fulfillment Provider has Succeeded", "Order Shipped",
        "Billing of order confirmed by billing provider", "Order Invoiced",
    ])  # fmt: skip
    assert journey.source_statuses[-1].startswith("SAP sales order")
    assert journey.source_statuses[-1].endswith("billed")


def test_dual_write_changes_come_back_from_fno_and_fno_orders_reach_sales(world: World):
    providers = ok(world.api.get("/providers"))["providers"]
    assert {"fno", "sales"} <= {p["definitionId"] for p in providers if p["status"] == "Activated"}
    journey = scenario(world, "4")
    number = ok(world.api.get(f"/orders/{journey.order_id}"))["externalOrderId"].split("/")[1]

    # Every change F&O notified was accepted: the changes feed and the hub share the secret.
    changes = ok(world.http.get(f"{world.urls.fno}/_admin/changes"))["value"]
    assert changes
    assert {c["deliveryStatus"] for c in changes} == {202}

    # Prospect-to-cash sends the F&O order to Sales once its totals are calculated.
    ok(world.api.post("/jobs/sales-totals/run"))
    token = _sales_token(world)
    query = {"$filter": f"ordernumber eq '{number}'"}

    def in_sales() -> list[dict[str, Any]]:
        url = f"{world.urls.sales}/api/data/v9.2/salesorders"
        rows: list[dict[str, Any]] = ok(world.http.get(url, params=query, headers=token))["value"]
        return rows

    wait_until(lambda: len(in_sales()) == 1, timeout=60)
    errors = ok(world.api.get("/errors", params={"orderId": journey.order_id}))["errors"]
    assert [e for e in errors if e["kind"] == "Sync"] == []


def _sales_token(world: World) -> dict[str, str]:
    """A token from the Sales simulator for the demo's credentials (as the hub gets one)."""
    form = {"grant_type": "client_credentials", "client_id": SALES_CLIENT_ID,
            "client_secret": SETTINGS["DEMO_SALES_CLIENT_SECRET"],
            "scope": f"{world.urls.sales}/.default"}  # fmt: skip
    url = f"{world.urls.sales}/{SALES_TENANT}/oauth2/v2.0/token"
    response = world.http.post(url, data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_orders_the_hub_sent_to_fno_are_not_pulled_back_as_new_orders(world: World):
    sent = scenario(world, "1")  # a storefront order the hub sends to F&O, confirmed there
    scenario(world, "4")  # an order made in F&O: the pull takes it
    world.run_function("pull_fno_orders")
    time.sleep(3)  # the admin endpoint answers before the pull ends
    # The F&O order carries the hub's order id as its customer's reference (the gateway's).
    pulled = _all_orders(world, "fno")
    assert pulled
    references = {
        ok(world.api.get(f"/orders/{order['orderId']}")).get("customerOrderReference")
        for order in pulled
    }
    assert sent.order_id not in references  # never a second, F&O-channel copy of it


def _all_orders(world: World, channel: str) -> list[dict[str, Any]]:
    """Every order of a channel, page by page."""
    orders: list[dict[str, Any]] = []
    params = {"channel": channel, "limit": "1000"}
    while True:
        page = ok(world.api.get("/orders", params=params))
        orders.extend(page["orders"])
        if not page["continuation"]:
            return orders
        params["continuation"] = page["continuation"]
