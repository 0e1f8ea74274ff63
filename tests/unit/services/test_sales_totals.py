"""The sales totals job: marked by order changes, reads only its index, at-least-once safe."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from adapters.storage.memory_table import MemoryTable
from adapters.storage.stale_totals import TableStaleTotalsIndex
from domain.orders.model import SalesOrder
from domain.orders.totals import totals_current
from services import sales_totals
from services.errors import ConcurrencyConflict, StorageUnavailable
from services.jobs import JobStatus
from services.orders import operations
from services.orders.changes import QUEUE, ChangeTrackingOrders
from services.orders.commands import PlaceOrder
from services.orders.engine import Catalog
from services.orders.intake import place_order
from services.orders.ports import LoadedOrder, OrderRepository
from services.outbox import OutboxMessage
from services.sales_totals import JOB_NAME, SalesTotalsJob
from tests.support.hub import Hub, make_hub

D = Decimal


@dataclass
class Interfering:
    """An OrderRepository that lets someone else write an order just before a save of it."""

    inner: OrderRepository
    before_save: dict[str, Callable[[], None]] = field(default_factory=dict)
    after_save: dict[str, Callable[[], None]] = field(default_factory=dict)
    listed: int = 0

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def save(self, loaded: LoadedOrder, messages):
        if (meddle := self.before_save.pop(loaded.order.order_id, None)) is not None:
            meddle()
        records = self.inner.save(loaded, messages)
        if (meddle := self.after_save.pop(loaded.order.order_id, None)) is not None:
            meddle()
        return records

    def list(self, *args):
        self.listed += 1
        return self.inner.list(*args)


@dataclass
class Setup:
    hub: Hub
    job: SalesTotalsJob
    index: TableStaleTotalsIndex
    orders: Interfering
    delivered: int = 0

    def place(self, external_id: str, *prices: str, currency: str = "USD") -> str:
        body = {
            "channel": "web", "externalOrderId": external_id, "customerId": "C-1",
            "currency": currency, "shipTo": {"country": "US"},
            "lines": [{"productId": f"P{n}", "quantity": 2, "unitPrice": price}
                      for n, price in enumerate(prices or ("10.00",))],
        }  # fmt: skip
        return place_order(PlaceOrder.model_validate(body), self.hub.engine).order_id

    def deliver_changes(self) -> int:
        """Run the OrderChanged consumer over the announcements not yet delivered."""
        bodies = [body for queue, body in self.hub.publisher.sent if queue == QUEUE]
        marked = 0
        for body in bodies[self.delivered :]:
            marked += self.job.mark_if_stale(json.loads(body)["data"]["orderId"])
        self.delivered = len(bodies)
        return marked

    def change(self, order_id: str, edit: Callable[[SalesOrder], object]) -> None:
        def apply(order: SalesOrder, _catalog: Catalog) -> list[OutboxMessage]:
            edit(order)
            return []

        operations.change_order(self.hub.engine, order_id, apply)

    def order(self, order_id: str) -> SalesOrder:
        return operations.get_order(self.hub.engine, order_id)


@pytest.fixture
def setup() -> Setup:
    hub = make_hub()
    orders = Interfering(ChangeTrackingOrders(hub.engine.orders, hub.clock))
    hub.engine.orders = orders
    table = MemoryTable("StaleTotals")
    table.create()
    index = TableStaleTotalsIndex(table, hub.clock)
    job = SalesTotalsJob(hub.engine, index, hub.job_log, hub.clock, hub.job_ids)
    return Setup(hub, job, index, orders)


def set_price(price: str) -> Callable[[SalesOrder], object]:
    return lambda order: setattr(order.lines[0], "unit_price", D(price))


def test_new_orders_are_marked_then_calculated_and_the_run_is_logged(setup):
    first, second = setup.place("1", "10.00", "2.50"), setup.place("2", "3.333")
    assert setup.deliver_changes() == 2
    assert setup.index.stale(10) == [first, second]

    run = setup.job.run("timer")

    assert (run.job, run.trigger, run.status, run.examined) == (
        JOB_NAME, "timer", JobStatus.SUCCEEDED, 2,
    )  # fmt: skip
    assert run.counts == {"calculated": 2, "current": 0, "missing": 0, "conflicted": 0,
                          "failed": 0}  # fmt: skip
    assert setup.index.stale(10) == []
    one, two = setup.order(first), setup.order(second)
    assert (one.totals_calculated, one.totals.total, one.totals.lines_amount) == (
        True, D("25.00"), D("25.00"),
    )  # fmt: skip
    assert (two.totals.total, totals_current(two)) == (D("6.67"), True)
    [logged] = setup.hub.job_log.runs(JOB_NAME, None, 10).runs
    assert logged == run
    assert setup.orders.listed == 0  # it never scans the orders


def test_the_job_s_own_change_is_announced_but_marks_nothing(setup):
    order_id = setup.place("1")
    setup.deliver_changes()
    setup.job.run("api")

    assert setup.deliver_changes() == 0  # the OrderChanged of the totals save: now eligible
    assert setup.order(order_id).revision == 2
    assert setup.index.stale(10) == []


def test_a_second_run_and_repeated_marks_change_nothing(setup):
    order_id = setup.place("1")
    setup.deliver_changes()
    setup.job.mark_if_stale(order_id)  # the consumer ran twice (at least once delivery)
    setup.job.run("timer")
    revision = setup.order(order_id).revision

    again = setup.job.run("timer")

    assert (again.examined, again.counts["calculated"]) == (0, 0)
    assert setup.order(order_id).revision == revision
    assert setup.job.mark_if_stale(order_id) is False


def test_an_order_already_current_is_cleared_without_a_write(setup):
    order_id = setup.place("1")
    setup.deliver_changes()
    setup.job.run("timer")
    revision = setup.order(order_id).revision
    setup.index.mark([order_id])  # a redelivered mark that raced the run

    run = setup.job.run("api")

    assert (run.examined, run.counts["current"], run.counts["calculated"]) == (1, 1, 0)
    assert setup.order(order_id).revision == revision
    assert setup.index.stale(10) == []


def test_a_change_after_calculation_marks_the_order_again(setup):
    order_id = setup.place("1")
    setup.deliver_changes()
    setup.job.run("timer")
    setup.deliver_changes()

    setup.change(order_id, set_price("12.00"))
    assert setup.order(order_id).totals_calculated is False
    assert setup.deliver_changes() == 1
    setup.job.run("timer")

    assert setup.order(order_id).totals.total == D("24.00")


def test_an_order_changed_between_mark_and_run_gets_its_latest_totals(setup):
    order_id = setup.place("1")
    setup.deliver_changes()
    setup.change(order_id, lambda o: setattr(o, "freight_amount", D("5")))

    run = setup.job.run("timer")

    totals = setup.order(order_id).totals
    assert (totals.freight, totals.total, run.counts["calculated"]) == (D("5.00"), D("25.00"), 1)


def test_a_conflicting_write_is_retried_on_the_fresh_order(setup):
    order_id = setup.place("1")
    setup.deliver_changes()
    setup.orders.before_save[order_id] = lambda: setup.change(order_id, set_price("20.00"))

    run = setup.job.run("timer")

    stored = setup.order(order_id)
    assert (stored.totals.total, totals_current(stored)) == (D("40.00"), True)
    assert (run.counts["calculated"], setup.index.stale(10)) == (1, [])


def test_a_change_between_the_save_and_the_clear_is_marked_again(setup):
    order_id = setup.place("1")
    setup.deliver_changes()

    def change_and_consume() -> None:
        setup.change(order_id, set_price("30.00"))
        setup.deliver_changes()  # its mark lands before the job clears the order's mark

    setup.orders.after_save[order_id] = change_and_consume

    setup.job.run("timer")

    assert setup.order(order_id).totals_calculated is False
    assert setup.index.stale(10) == [order_id]
    setup.job.run("timer")
    assert setup.order(order_id).totals.total == D("60.00")


def test_an_order_that_keeps_changing_stays_marked_for_the_next_run(setup, monkeypatch):
    order_id = setup.place("1")
    setup.deliver_changes()

    def always_conflict(_loaded, _messages):
        raise ConcurrencyConflict("stale etag")

    monkeypatch.setattr(setup.orders, "save", always_conflict)

    run = setup.job.run("timer")

    assert (run.status, run.counts["conflicted"], run.examined) == (JobStatus.SUCCEEDED, 1, 1)
    assert run.details == [f"{order_id}: totals not calculated, retried next run: "
                           f"order {order_id} kept changing; try again"]  # fmt: skip
    assert setup.index.stale(10) == [order_id]


def test_a_missing_order_or_an_unknown_currency_is_cleared(setup):
    order_id = setup.place("1")
    setup.change(order_id, lambda o: setattr(o, "currency", "XXX"))
    setup.deliver_changes()
    setup.index.mark(["o-gone"])

    run = setup.job.run("timer")

    assert (run.counts["failed"], run.counts["missing"]) == (1, 1)
    assert "unknown currency 'XXX'" in run.details[0]
    assert setup.index.stale(10) == []


def test_a_backlog_larger_than_a_batch_is_worked_through(setup, monkeypatch):
    monkeypatch.setattr(sales_totals, "BATCH", 2)
    order_ids = [setup.place(str(n)) for n in range(5)]
    setup.deliver_changes()

    run = setup.job.run("timer")

    assert (run.examined, run.counts["calculated"]) == (5, 5)
    assert all(setup.order(order_id).totals_calculated for order_id in order_ids)


def test_a_run_that_cannot_read_its_index_is_logged_as_failed(setup, monkeypatch):
    def unavailable(_limit):
        raise StorageUnavailable("table unreachable")

    monkeypatch.setattr(setup.index, "stale", unavailable)

    run = setup.job.run("api")

    assert (run.status, run.details) == (JobStatus.FAILED, ["failed: table unreachable"])
    assert run.ended_at is not None
    assert setup.hub.job_log.runs(JOB_NAME, None, 1).runs[0].status == JobStatus.FAILED
