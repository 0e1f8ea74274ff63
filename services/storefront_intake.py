"""Storefront order intake: webhooks queue an order id, a handler takes it, a timer reconciles.

A storefront's webhook is light (an order id), so the HTTP trigger only authenticates it and
queues `{orderId, dedupeKey}`; the queue handler re-reads the order from the storefront and
places it. The queue is not deduplicated by `dedupeKey`: place_order is idempotent on
(channel, external order id), so a re-fired webhook (same `hash`) or a re-delivered message
finds the order already placed and creates nothing. The key travels for the logs only.
Webhooks can be lost (the store gives up after ~48 h of failures), so a timer lists the
orders modified since a stored checkpoint and places them all, again idempotently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from services.errors import InvalidInput
from services.orders.commands import PlaceOrder
from services.orders.engine import Engine
from services.orders.intake import PlacementResult, place_order
from services.ports import Clock, MessagePublisher
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure

STOREFRONT_QUEUE = "storefront-orders"
OVERLAP = timedelta(seconds=60)  # re-list this much before the newest change seen
FIRST_LOOKBACK = timedelta(hours=24)  # how far back the first reconciliation looks
RECONCILE_LIMIT = 500  # orders taken per reconciliation; the next run continues


class WebhookRefused(Exception):
    """A webhook delivery that is not authentic or not readable (HTTP 401); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StorefrontOrders(Protocol):
    """A storefront's orders, read for intake."""

    @property
    def name(self) -> str:
        """Identifies the store (names its reconciliation checkpoint)."""
        ...

    def fetch(self, order_id: int) -> PlaceOrder | None:
        """The intake command for the order; None while it is not an order to take (incomplete).

        Raises TransientProviderFailure (try again later) or PermanentProviderFailure.
        """
        ...

    def modified_since(self, since: datetime, limit: int) -> list[tuple[int, datetime]]:
        """Up to `limit` (order id, modified at) changed since `since` (inclusive), oldest first."""
        ...


class CheckpointStore(Protocol):
    """Named points in time that background jobs resume from."""

    def get(self, name: str) -> datetime | None:
        """The stored point, or None when none was stored."""
        ...

    def set(self, name: str, at: datetime) -> None:
        """Store (replace) the point."""
        ...


@dataclass(frozen=True)
class ReconcileReport:
    """What a reconciliation looked at, how many orders it created and where it will resume."""

    examined: int
    taken: int
    checkpoint: datetime
    failed: list[str] = field(default_factory=list)


def queue_body(order_id: int, dedupe_key: str) -> str:
    """The queue message for an accepted webhook."""
    return json.dumps({"orderId": order_id, "dedupeKey": dedupe_key}, separators=(",", ":"))


def read_queue_body(body: str) -> tuple[int, str]:
    """The order id and dedupe key of a queued message (ValueError when malformed)."""
    message = json.loads(body)
    order_id = message.get("orderId") if isinstance(message, dict) else None
    if not isinstance(order_id, int) or isinstance(order_id, bool) or order_id <= 0:
        raise ValueError("the message has no positive integer orderId")
    return order_id, str(message.get("dedupeKey", ""))


def accept_webhook(publisher: MessagePublisher, order_id: int, dedupe_key: str) -> None:
    """Queue the order for the handler: answer the store fast, take the order at least once."""
    publisher.publish(STOREFRONT_QUEUE, queue_body(order_id, dedupe_key))


def take_order(engine: Engine, orders: StorefrontOrders, order_id: int) -> PlacementResult | None:
    """Fetch the order and place it once (a repeat is `created=False`); None if not takeable."""
    command = orders.fetch(order_id)
    return place_order(command, engine) if command is not None else None


def reconcile(
    engine: Engine,
    orders: StorefrontOrders,
    checkpoints: CheckpointStore,
    clock: Clock,
    *,
    limit: int = RECONCILE_LIMIT,
) -> ReconcileReport:
    """Take every order changed since the checkpoint, then move the checkpoint forward.

    Orders that cannot be taken for good (unreadable, invalid) are reported and passed over; a
    transient failure stops the run before that order so the next run tries it again.
    """
    stored = checkpoints.get(orders.name)
    since = stored if stored is not None else clock.now() - FIRST_LOOKBACK
    changed = orders.modified_since(since, limit)
    taken, newest, failed = 0, None, []
    for order_id, modified_at in changed:
        try:
            result = take_order(engine, orders, order_id)
        except TransientProviderFailure:
            break
        except (PermanentProviderFailure, InvalidInput) as err:
            failed.append(f"order {order_id}: {err}")
        else:
            taken += 1 if result is not None and result.created else 0
        newest = modified_at if newest is None else max(newest, modified_at)
    checkpoint = _next_checkpoint(since, newest, full=len(changed) >= limit)
    if stored is None or checkpoint != stored:
        checkpoints.set(orders.name, checkpoint)
    return ReconcileReport(len(changed), taken, checkpoint, failed)


def _next_checkpoint(since: datetime, newest: datetime | None, *, full: bool) -> datetime:
    """Resume a little before the newest change seen, never before where this run started.

    When the run stopped at the limit, resume exactly at the newest change taken: the listing
    includes its own start, so orders changed in that same instant are listed again.
    """
    if newest is None:
        return since
    return max(since, newest if full else newest - OVERLAP)
