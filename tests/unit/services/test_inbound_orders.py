"""ERP pollers: confirmed ERP orders placed once with a checkpoint, watched orders invoiced once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.orders.states import OrderState
from services.inbound_orders import (
    DEFAULT_GIVE_UP_AFTER,
    DEFAULT_OVERLAP,
    DEFAULT_RECHECK,
    WatchedOrder,
    poll_invoices,
    pull_erp_orders,
    sweep_invoice_watchlist,
    watch_for_invoice,
)
from services.orders import operations
from services.orders.commands import CancelOrder, PlaceOrder
from services.orders.intake import order_id_for, place_order
from services.providers.gateway import TransientProviderFailure
from tests.support.hub import Hub, make_hub


def command(number: str, discount: str = "0") -> PlaceOrder:
    body: dict[str, Any] = {
        "channel": "fno", "externalOrderId": f"usmf/{number}", "customerId": "US-001",
        "currency": "USD", "shipTo": {"country": "US"},
        "lines": [{"productId": "A", "quantity": 2, "unitPrice": 10, "discount": discount}],
    }  # fmt: skip
    return PlaceOrder.model_validate(body)


@dataclass
class FakeErp:
    orders: list[PlaceOrder] = field(default_factory=list)
    asked: list[datetime] = field(default_factory=list)

    def confirmed_since(self, since: datetime) -> list[PlaceOrder]:
        self.asked.append(since)
        return list(self.orders)


@dataclass
class MemoryCheckpoints:
    marks: dict[str, datetime] = field(default_factory=dict)

    def get(self, name: str) -> datetime | None:
        return self.marks.get(name)

    def set(self, name: str, at: datetime) -> None:
        self.marks[name] = at


@dataclass
class FakeInvoices:
    documents: dict[str, str] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    def invoice_for(self, order_id: str) -> str | None:
        self.asked.append(order_id)
        if order_id in self.failing:
            raise TransientProviderFailure("SAP is down")
        return self.documents.get(order_id)


@dataclass
class MemoryWatchlist:
    entries: dict[str, WatchedOrder] = field(default_factory=dict)

    def add(self, order_id: str, due_at: datetime, added_at: datetime) -> None:
        first = self.entries[order_id].added_at if order_id in self.entries else added_at
        self.entries[order_id] = WatchedOrder(order_id, due_at, first)

    def due(self, before: datetime, limit: int) -> list[WatchedOrder]:
        ready = sorted((w for w in self.entries.values() if w.due_at < before),
                       key=lambda w: w.due_at)  # fmt: skip
        return ready[:limit]

    def reschedule(self, watched: WatchedOrder, due_at: datetime) -> None:
        self.entries[watched.order_id] = WatchedOrder(watched.order_id, due_at, watched.added_at)

    def remove(self, watched: WatchedOrder) -> None:
        self.entries.pop(watched.order_id, None)


def test_confirmed_orders_are_placed_once_and_the_checkpoint_moves_with_an_overlap():
    hub = make_hub()
    erp, marks = FakeErp([command("SO-1"), command("SO-2")]), MemoryCheckpoints()
    start = hub.clock.now()

    first = pull_erp_orders(hub.engine, erp, marks, hub.clock)
    hub.clock.advance(120)
    again = pull_erp_orders(hub.engine, erp, marks, hub.clock)

    assert (first.examined, first.taken, first.refused) == (2, 2, ())
    assert (again.examined, again.taken) == (2, 0)
    assert erp.asked == [start - DEFAULT_OVERLAP, start - DEFAULT_OVERLAP]
    assert marks.marks == {"fno-orders": start + timedelta(seconds=120)}
    order = operations.get_order(hub.engine, order_id_for("fno", "usmf/SO-1"))
    assert order.channel == "fno"


def test_the_checkpoint_never_moves_backwards_and_names_are_separate():
    hub = make_hub()
    later = hub.clock.now() + timedelta(hours=1)
    marks = MemoryCheckpoints({"other": later, "fno-orders": later})
    erp = FakeErp()

    pull_erp_orders(hub.engine, erp, marks, hub.clock, overlap=timedelta(minutes=5))

    assert erp.asked == [later - timedelta(minutes=5)]
    assert marks.marks["fno-orders"] == later


def test_an_order_the_hub_refuses_is_reported_and_does_not_stop_the_others():
    hub = make_hub()
    erp = FakeErp([command("SO-1", discount="0.001"), command("SO-2")])

    report = pull_erp_orders(hub.engine, erp, MemoryCheckpoints(), hub.clock)

    assert (report.examined, report.taken, report.refused) == (2, 1, ("fno/usmf/SO-1",))


def test_an_order_the_hub_sent_to_the_erp_is_not_placed_again():
    hub = make_hub()
    erp = FakeErp([command("SO-1"), command("SO-2")])

    report = pull_erp_orders(
        hub.engine, erp, MemoryCheckpoints(), hub.clock,
        ours=lambda c: c.external_order_id == "usmf/SO-1",
    )  # fmt: skip

    assert (report.examined, report.taken, report.ours) == (2, 1, 1)
    assert hub.engine.orders.get(order_id_for("fno", "usmf/SO-1")) is None


def test_a_failed_pull_leaves_the_checkpoint_where_it_was():
    hub = make_hub()

    class Down:
        def confirmed_since(self, since: datetime) -> list[PlaceOrder]:
            raise TransientProviderFailure("F&O is down")

    marks = MemoryCheckpoints()
    with pytest.raises(TransientProviderFailure):
        pull_erp_orders(hub.engine, Down(), marks, hub.clock)
    assert marks.marks == {}


def sent_to_fulfillment(hub: Hub, number: str) -> str:
    order_id = place_order(command(number), hub.engine).order_id
    operations.raise_event(
        hub.engine, order_id, "Send Order to Fulfillment Provider has Succeeded", None, "test"
    )
    return order_id


def test_an_invoiced_order_is_raised_once_with_the_billing_document_as_event_id():
    hub = make_hub()
    order_id, waiting = sent_to_fulfillment(hub, "SO-1"), sent_to_fulfillment(hub, "SO-2")
    invoices = FakeInvoices({order_id: "90000001"})

    assert poll_invoices(hub.engine, invoices, [order_id, waiting]) == [order_id]
    assert poll_invoices(hub.engine, invoices, [order_id]) == [order_id]

    order = operations.get_order(hub.engine, order_id)
    assert (order.state, order.reason) == (OrderState.COMPLETED, "Fulfilled")
    assert order.provider_events == ["sap:sap-invoice-90000001"]
    timeline = hub.engine.orders.timeline(order_id)
    invoiced = [e for e in timeline if e.event == "Order Invoiced"]
    assert len(invoiced) == 1
    assert invoiced[0].details == "SAP billing document 90000001"


def test_a_failing_lookup_skips_only_that_order():
    hub = make_hub()
    down, up = sent_to_fulfillment(hub, "SO-1"), sent_to_fulfillment(hub, "SO-2")
    invoices = FakeInvoices({down: "1", up: "2"}, failing={down})

    assert poll_invoices(hub.engine, invoices, [down, up]) == [up]


def test_the_sweep_removes_invoiced_and_finished_orders_and_rechecks_the_rest_later():
    hub = make_hub()
    invoiced, waiting = sent_to_fulfillment(hub, "SO-1"), sent_to_fulfillment(hub, "SO-2")
    cancelled = place_order(command("SO-3"), hub.engine).order_id
    operations.cancel(hub.engine, cancelled, CancelOrder())
    watchlist = MemoryWatchlist()
    for order_id in (invoiced, waiting, cancelled, "no-such-order"):
        watch_for_invoice(watchlist, hub.clock, order_id)
    hub.clock.advance(1)
    invoices = FakeInvoices({invoiced: "90000001"})

    sweep = sweep_invoice_watchlist(hub.engine, invoices, watchlist)

    assert sweep.examined == 4
    assert sweep.invoiced == (invoiced,)
    assert sweep.dropped == (cancelled, "no-such-order")
    assert set(watchlist.entries) == {waiting}
    assert watchlist.entries[waiting].due_at == hub.clock.now() + DEFAULT_RECHECK
    assert "no-such-order" not in invoices.asked
    hub.clock.advance(60)
    assert sweep_invoice_watchlist(hub.engine, invoices, watchlist).examined == 0


def test_an_order_never_invoiced_expires_from_the_watchlist():
    hub = make_hub()
    order_id = sent_to_fulfillment(hub, "SO-1")
    watchlist = MemoryWatchlist()
    watch_for_invoice(watchlist, hub.clock, order_id)
    hub.clock.advance(DEFAULT_GIVE_UP_AFTER.total_seconds())

    sweep = sweep_invoice_watchlist(hub.engine, FakeInvoices(), watchlist)

    assert sweep.expired == (order_id,)
    assert watchlist.entries == {}


def test_the_sweep_reads_at_most_the_limit():
    hub = make_hub()
    watchlist = MemoryWatchlist()
    ids = [sent_to_fulfillment(hub, f"SO-{n}") for n in range(3)]
    for order_id in ids:
        watch_for_invoice(watchlist, hub.clock, order_id)
    hub.clock.advance(1)
    invoices = FakeInvoices()

    assert sweep_invoice_watchlist(hub.engine, invoices, watchlist, limit=2).examined == 2
    assert len(invoices.asked) == 2
