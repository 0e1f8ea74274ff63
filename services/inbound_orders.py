"""ERP pollers: confirmed ERP orders become hub orders; ERP invoices become "invoiced" events.

Orders: each run reads the orders the ERP confirmed that were created since the checkpoint
minus an overlap, places each (idempotent: an order already in the hub is skipped) and then
moves the checkpoint to the run's start. Orders the hub itself sent to the ERP (the `ours`
predicate: by the order id sent as the customer's reference, or by a sync link) are the hub's
already and are never placed a second time. The overlap covers orders confirmed after a later run
already passed their creation time; an order confirmed more than `overlap` after it was created
is not picked up (the ERP lists by creation time only), so choose it to exceed the usual lag.

Invoices: orders sent to the invoicing ERP wait on an InvoiceWatchlist, due for a check at a
time. A run takes the due ones (bounded), asks the ERP for each order's billing document and
raises "invoiced" once (event id `<provider>-invoice-<document>`); orders invoiced, gone,
cancelled, completed or watched for longer than `give_up_after` leave the list, the rest are
checked again after `recheck`. No run scans the Orders table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.flows.model import Step
from domain.orders.model import SalesOrder
from domain.orders.states import OrderState
from services.errors import InvalidInput
from services.orders.commands import PlaceOrder
from services.orders.engine import Engine
from services.orders.intake import place_order
from services.orders.ports import ActionResult, ProviderActions
from services.ports import Clock
from services.provider_events import ProviderEvent, ProviderStatus, apply_provider_event
from services.providers.gateway import ProviderFailure
from services.storefront_intake import CheckpointStore

logger = logging.getLogger(__name__)

DEFAULT_OVERLAP = timedelta(days=1)
DEFAULT_RECHECK = timedelta(minutes=10)
DEFAULT_GIVE_UP_AFTER = timedelta(days=60)
_DONE = frozenset({OrderState.COMPLETED, OrderState.CANCELED})


class ErpOrders(Protocol):
    """An ERP's orders that are confirmed (only those reach the hub)."""

    def confirmed_since(self, since: datetime) -> list[PlaceOrder]:
        """PlaceOrder commands for confirmed orders created at or after `since`."""
        ...


class InvoiceLookup(Protocol):
    """Finds the invoice an ERP made for one of our orders."""

    def invoice_for(self, order_id: str) -> str | None:
        """The invoice (billing document) number, or None while there is none."""
        ...


@dataclass(frozen=True)
class WatchedOrder:
    """An order waiting for its invoice: next check due at `due_at`, watched since `added_at`."""

    order_id: str
    due_at: datetime
    added_at: datetime


class InvoiceWatchlist(Protocol):
    """Orders sent to the invoicing ERP, by the time their next check is due."""

    def add(self, order_id: str, due_at: datetime, added_at: datetime) -> None:
        """Watch the order (adding it again moves its next check, keeps `added_at` first seen)."""
        ...

    def due(self, before: datetime, limit: int) -> list[WatchedOrder]:
        """Up to `limit` watched orders due before the time, earliest first."""
        ...

    def reschedule(self, watched: WatchedOrder, due_at: datetime) -> None:
        """Move the order's next check."""
        ...

    def remove(self, watched: WatchedOrder) -> None:
        """Stop watching the order (an entry already gone is fine)."""
        ...


@dataclass(frozen=True)
class PullReport:
    """What one ERP order pull did: orders read, orders new to the hub, orders refused."""

    examined: int
    taken: int
    refused: tuple[str, ...] = ()
    ours: int = 0  # orders the hub sent to the ERP itself: already here under their own id


@dataclass(frozen=True)
class InvoiceSweep:
    """What one invoice check did, by order id."""

    examined: int
    invoiced: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    expired: tuple[str, ...] = ()


def pull_erp_orders(
    engine: Engine,
    erp: ErpOrders,
    checkpoints: CheckpointStore,
    clock: Clock,
    *,
    name: str = "fno-orders",
    overlap: timedelta = DEFAULT_OVERLAP,
    ours: Callable[[PlaceOrder], bool] = lambda _command: False,
) -> PullReport:
    """Place the ERP's confirmed orders created since the checkpoint (less the overlap)."""
    started = clock.now()
    checkpoint = checkpoints.get(name)
    since = (checkpoint if checkpoint is not None else started) - overlap
    commands = erp.confirmed_since(since)
    taken = sent_by_hub = 0
    refused: list[str] = []
    for command in commands:
        if ours(command):
            sent_by_hub += 1
            continue
        try:
            if place_order(command, engine).created:
                taken += 1
        except InvalidInput as err:
            refused.append(f"{command.channel}/{command.external_order_id}")
            logger.warning("ERP order %s refused: %s", command.external_order_id, err)
    checkpoints.set(name, max(started, checkpoint) if checkpoint is not None else started)
    return PullReport(examined=len(commands), taken=taken, refused=tuple(refused), ours=sent_by_hub)


def poll_invoices(
    engine: Engine, invoices: InvoiceLookup, order_ids: Sequence[str], *, provider: str = "sap"
) -> list[str]:
    """Raise "invoiced" (once) for each order the ERP has invoiced; the ids of those orders."""
    invoiced: list[str] = []
    for order_id in order_ids:
        try:
            document = invoices.invoice_for(order_id)
        except ProviderFailure as err:
            logger.warning("invoice lookup for %s failed: %s", order_id, err)
            continue
        if document is None:
            continue
        event = ProviderEvent(
            event_id=f"{provider}-invoice-{document}", status=ProviderStatus.INVOICED,
            order_id=order_id, details=f"{provider.upper()} billing document {document}",
        )  # fmt: skip
        apply_provider_event(engine, provider, event)
        invoiced.append(order_id)
    return invoiced


def sweep_invoice_watchlist(
    engine: Engine,
    invoices: InvoiceLookup,
    watchlist: InvoiceWatchlist,
    *,
    limit: int = 100,
    recheck: timedelta = DEFAULT_RECHECK,
    give_up_after: timedelta = DEFAULT_GIVE_UP_AFTER,
    provider: str = "sap",
) -> InvoiceSweep:
    """Check the watched orders that are due; drop the finished, recheck the rest later."""
    now = engine.clock.now()
    due = watchlist.due(now, limit)
    dropped = {w.order_id for w in due if _finished(engine, w.order_id)}
    live = [w for w in due if w.order_id not in dropped]
    invoiced = set(poll_invoices(engine, invoices, [w.order_id for w in live], provider=provider))
    expired: list[str] = []
    for watched in due:
        if watched.order_id in invoiced or watched.order_id in dropped:
            watchlist.remove(watched)
        elif now - watched.added_at >= give_up_after:
            watchlist.remove(watched)
            expired.append(watched.order_id)
        else:
            watchlist.reschedule(watched, now + recheck)
    return InvoiceSweep(
        examined=len(due), invoiced=tuple(w.order_id for w in live if w.order_id in invoiced),
        dropped=tuple(w.order_id for w in due if w.order_id in dropped), expired=tuple(expired),
    )  # fmt: skip


def watch_for_invoice(watchlist: InvoiceWatchlist, clock: Clock, order_id: str) -> None:
    """Put an order sent to the invoicing ERP on the watchlist, due for its first check now."""
    now = clock.now()
    watchlist.add(order_id, now, now)


def _finished(engine: Engine, order_id: str) -> bool:
    loaded = engine.orders.get(order_id)
    return loaded is None or loaded.order.state in _DONE


@dataclass
class InvoiceWatchingActions:
    """ProviderActions that put orders an accounting provider accepted on the invoice watchlist."""

    inner: ProviderActions
    watchlist: InvoiceWatchlist
    clock: Clock
    invoicing_providers: frozenset[str] = frozenset({"sap"})

    def execute(self, step: Step, order: SalesOrder, idempotency_key: str) -> ActionResult:
        """Run the action; a success at an invoicing provider starts watching for the invoice."""
        result = self.inner.execute(step, order, idempotency_key)
        if result.succeeded and step.provider in self.invoicing_providers:
            watch_for_invoice(self.watchlist, self.clock, order.order_id)
        return result
