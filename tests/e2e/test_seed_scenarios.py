"""The seed scenarios (seed 002) end to end: the real app on devhost and the four simulators.

Each test drives one scenario over HTTP with demo.scenarios (order created at its source, moved
through the external systems' admin endpoints) and checks the order's states and status reasons
in the order the seed describes, and the final status in the source system.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from demo.journey import Journey
from demo.scenarios import SCENARIOS, run
from demo.world import World
from tests.e2e.scenario_world import running_world
from tests.support.azurite import Azurite

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
