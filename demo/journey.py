"""Waiting on the hub and reading an order's journey (its timeline, with the order's state)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from demo.world import BC_TOKEN, COMPANY, FNO_EVENTS_SECRET, STORE_HASH, HubError, World, ok

TIMEOUT = 90.0
BC_STATUS_NAMES = {0: "Incomplete", 1: "Pending", 2: "Shipped", 5: "Cancelled",
                   10: "Completed", 11: "Awaiting Fulfillment"}  # fmt: skip


@dataclass(frozen=True)
class Stop:
    """One business event on the order and the order's state / status reason after it."""

    at: str
    state: str
    reason: str
    event: str


@dataclass
class Journey:
    """What one scenario did to its order, and what the source system says at the end."""

    scenario: str
    order_id: str = ""
    stops: list[Stop] = field(default_factory=list)
    source_statuses: list[str] = field(default_factory=list)
    error: str | None = None

    def states(self) -> list[tuple[str, str]]:
        """The order's (state, reason) as it changed, without repeats."""
        seen: list[tuple[str, str]] = []
        for stop in self.stops:
            if not seen or seen[-1] != (stop.state, stop.reason):
                seen.append((stop.state, stop.reason))
        return seen

    def events(self) -> list[str]:
        """The business events raised on the order, in order."""
        return [stop.event for stop in self.stops]


def wait_for(what: str, condition: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    """Poll until the condition gives something truthy; return it (HubError on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise HubError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.2)


def order(world: World, order_id: str) -> dict[str, Any]:
    """The hub's order."""
    found: dict[str, Any] = ok(world.api.get(f"/orders/{order_id}"))
    return found


def timeline(world: World, order_id: str) -> list[dict[str, Any]]:
    """The order's business events, in order."""
    events: list[dict[str, Any]] = ok(world.api.get(f"/orders/{order_id}/timeline"))["events"]
    return events


def wait_event(world: World, order_id: str, event: str, count: int = 1) -> None:
    """Wait until the event was raised on the order (`count` times)."""
    wait_for(
        f"{event!r} on order {order_id}",
        lambda: [e["event"] for e in timeline(world, order_id)].count(event) >= count,
    )


def wait_reason(world: World, order_id: str, state: str, reason: str) -> None:
    """Wait until the order has the state and status reason."""
    wait_for(
        f"order {order_id} to be {state} / {reason}",
        lambda: (lambda o: (o["state"], o["reason"]) == (state, reason))(order(world, order_id)),
    )


def journey_of(world: World, order_id: str, into: Journey) -> Journey:
    """Fill the journey's stops from the order's timeline."""
    state, reason = "New", "New"
    into.order_id, into.stops = order_id, []
    for event in timeline(world, order_id):
        for change in event["changes"]:
            if change["entity"] == "order":
                state, reason = (part.strip() for part in change["to"].split("/", 1))
        into.stops.append(Stop(event["at"], state, reason, event["event"]))
    return into


def step_details(world: World, order_id: str, step_id: str, count: int = 1) -> list[str]:
    """The details of the step's successful runs, once it has succeeded `count` times."""

    def succeeded() -> list[str]:
        results = order(world, order_id)["stepResults"]
        done = [r["details"] or "" for r in results
                if r["stepId"] == step_id and r["status"] == "Succeeded"]  # fmt: skip
        failed = [r for r in results if r["stepId"] == step_id and r["status"] == "Failed"]
        if failed and len(done) < count:
            raise HubError(f"step {step_id} of order {order_id} failed: {failed[-1]['details']}")
        return done if len(done) >= count else []

    found: list[str] = wait_for(f"step {step_id} of order {order_id}", succeeded)
    return found


def fno_number(details: str) -> str:
    """The F&O sales order number a step result names."""
    match = re.search(r"salesOrderNumber (SO-\d+)", details)
    if match is None:
        raise HubError(f"no F&O sales order number in {details!r}")
    return match.group(1)


def fno_post(world: World, number: str, command: str, *, must_apply: bool = True) -> int:
    """Post a document in F&O (relaying its event if F&O cannot reach the hub); the hub's answer."""
    url = f"{world.urls.fno}/_admin/orders/{COMPANY}/{number}/{command}"
    posted = ok(world.http.post(url))
    status: int | None = posted["deliveryStatus"]
    if status is None:
        headers = {"X-Fno-Event-Secret": FNO_EVENTS_SECRET}
        status = world.api.post("/events/fno", json=posted["event"], headers=headers).status_code
    if must_apply and status >= 300:
        raise HubError(
            f"the hub answered {status} to F&O's {command!r} event for {COMPANY}/{number} "
            f"(customersOrderReference {posted['event']['customersOrderReference']!r})"
        )
    return status


def flexe_ids(details: str) -> list[str]:
    """The Flexe outbound order ids a "sent to Flexe: ours -> theirs, ..." step result names."""
    return re.findall(r"->\s*([^\s,()]+)", details)


FLEXE_MOVES = (("accept", "Provider status: confirmed"), ("pick", "Order Picked"),
               ("pack", "Order Packed"), ("ship", "Order Shipped"))  # fmt: skip


def flexe_ship(world: World, order_id: str, outbound_ids: list[str]) -> None:
    """Accept, pick, pack and ship the Flexe outbound orders, each move seen by the hub first."""
    for command, event in FLEXE_MOVES:
        for outbound in outbound_ids:
            url = f"{world.urls.flexe}/_admin/outbound-orders/{outbound}/{command}"
            ok(world.http.post(url))
        wait_event(world, order_id, event)


def bigcommerce_status(world: World, bc_id: int) -> int:
    """The BigCommerce order's status_id."""
    headers = {"X-Auth-Token": BC_TOKEN, "Accept": "application/json"}
    url = f"{world.urls.bigcommerce}/stores/{STORE_HASH}/v2/orders/{bc_id}"
    return int(ok(world.http.get(url, headers=headers))["status_id"])


def wait_bigcommerce(world: World, bc_id: int, status_id: int, into: Journey) -> None:
    """Wait until the BigCommerce order has the status; note it on the journey."""
    wait_for(
        f"BigCommerce order {bc_id} status {status_id}",
        lambda: bigcommerce_status(world, bc_id) == status_id,
    )
    into.source_statuses.append(f"{BC_STATUS_NAMES.get(status_id, '?')} ({status_id})")
