"""The backorder release job: release held lines first come, first served; cancel past the SLA.

It reads only the held-line index: lines of the products that received supply since the last
run, and lines whose cancellation SLA (or preorder launch) is due. For each product, held lines
are taken oldest order first (then by priority), and a line is released only once its whole
open quantity is reserved, so a later order never overtakes an earlier one that is still short
(stock reserved for a line that is still short stays with it). A released line raises Backorder
Released, which sends it back into its flow.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from domain.orders.events import BusinessEvent
from domain.orders.model import OrderLine, SalesOrder
from domain.orders.states import OrderState, Reason
from services.backorder_index import BackorderIndex, HeldLine, HoldKind
from services.errors import NotFound
from services.fulfillment import SourcingPlanner, StockKeeper
from services.fulfillment_lines import (
    Reserved,
    add_to_fulfillment_orders,
    open_quantity,
    reservation_reference,
)
from services.jobs import JobLog, JobRun, JobStatus
from services.orders.engine import Catalog, Engine, dispatch
from services.orders.operations import Change, change_order
from services.outbox import OutboxMessage
from services.ports import Clock, IdGenerator

logger = logging.getLogger(__name__)

JOB_NAME = "backorder-release"
BATCH = 200


class SupplyFeed(Protocol):
    """Products that received supply (receipts, positive adjustments) since the job looked."""

    def supplied_products(self, limit: int) -> list[str]:
        """Up to `limit` product ids."""
        ...

    def clear_supplied(self, product_ids: Sequence[str]) -> None:
        """Forget the products once their held lines were examined."""
        ...


@dataclass
class BackorderRelease:
    """Everything the release job reads and changes."""

    engine: Engine
    index: BackorderIndex
    planner: SourcingPlanner
    stock: StockKeeper
    supply: SupplyFeed
    log: JobLog
    clock: Clock
    ids: IdGenerator

    def run(self, trigger: str) -> JobRun:
        """One run of the job, logged with its counts (start, end, examined, released, ...)."""
        run = JobRun(JOB_NAME, self.ids.new_id(), self.clock.now(), trigger)
        self.log.save(run)
        try:
            self._handle_due(run)
            self._release_supplied(run)
            run.status = JobStatus.SUCCEEDED
        except Exception as err:  # the log must say the run failed, and why
            run.status = JobStatus.FAILED
            run.details.append(f"failed: {err}")
            logger.exception("backorder release run %s failed", run.run_id)
        run.ended_at = self.clock.now()
        self.log.save(run)
        return run

    def _handle_due(self, run: JobRun) -> None:
        for held in self.index.due(self.clock.now(), BATCH):
            run.examined += 1
            if held.kind == HoldKind.PREORDER:
                run.released += int(self._release(held, run) is True)
            elif self._cancel(held):
                run.cancelled += 1
                run.details.append(f"cancelled {held.order_id}/{held.line_id}: SLA expired")
                self.index.remove(held)
            else:
                self.index.remove(held)  # no longer held: a stale entry

    def _release_supplied(self, run: JobRun) -> None:
        products = self.supply.supplied_products(BATCH)
        for product_id in products:
            for held in self.index.held(product_id, BATCH):
                if held.kind == HoldKind.PREORDER and held.due_at > self.clock.now():
                    continue  # a preorder waits for its launch date whatever the stock
                run.examined += 1
                released = self._release(held, run)
                if released is False:
                    break  # first come, first served: nobody overtakes a line still short
                run.released += int(released is True)
        self.supply.clear_supplied(products)

    def _release(self, held: HeldLine, run: JobRun) -> bool | None:
        """True if released, False if still short, None if the entry was stale."""
        loaded = self.engine.orders.get(held.order_id)
        line = _held_line(loaded.order if loaded else None, held)
        if loaded is None or line is None:
            self.index.remove(held)
            return None
        wanted = open_quantity(loaded.order, loaded.order.line(held.line_id))
        plan = self.planner.determine(loaded.order, {held.line_id: wanted})
        if sum((a.quantity for a in plan.allocations), Decimal(0)) < wanted:
            return False
        # References unique to this run: a short attempt is given back and a later run retries.
        allocations = [
            replace(
                a,
                reference=reservation_reference(
                    held.order_id, held.line_id, a.source_id, f"job-{run.run_id}"
                ),
            )
            for a in plan.allocations
        ]
        reserved = self.stock.reserve_allocations(allocations)
        if any(r.quantity < r.allocation.quantity for r in reserved):
            self.stock.release_references([a.reference for a in allocations])
            return False  # someone took the stock between planning and reserving
        applied: list[bool] = []
        with contextlib.suppress(NotFound):  # a deleted order simply is not released
            change_order(self.engine, held.order_id, self._releaser(held, reserved, applied))
        if not applied:
            # Another run (timer and API at once) or an operator got there first: give it back.
            self.stock.release_references([a.reference for a in allocations])
            self.index.remove(held)
            return None
        self.index.remove(held)
        run.details.append(f"released {held.order_id}/{held.line_id}")
        return True

    def _releaser(self, held: HeldLine, reserved: list[Reserved], applied: list[bool]) -> Change:
        sources = self.stock.sources()

        def change(order: SalesOrder, catalog: Catalog) -> list[OutboxMessage]:
            applied.clear()
            line = _held_line(order, held)
            if line is None:
                return []
            applied.append(True)
            now = self.clock.now()
            add_to_fulfillment_orders(order, reserved, sources)
            line.quantity_backordered = Decimal(0)
            line.availability_date = None
            event = BusinessEvent.BACKORDER_RELEASED
            order.raise_event(event, now, line_ids=[held.line_id], source=JOB_NAME)
            return dispatch(order, [event], now, catalog)

        return change

    def _cancel(self, held: HeldLine) -> bool:
        canceled: list[bool] = []

        def change(order: SalesOrder, catalog: Catalog) -> list[OutboxMessage]:
            canceled.clear()
            line = _held_line(order, held)
            if line is None:
                return []
            now = self.clock.now()
            line.quantity_canceled = line.quantity_backordered
            line.quantity_backordered = Decimal(0)
            event = BusinessEvent.LINE_CANCELED
            details = "cancellation SLA expired"
            order.raise_event(event, now, line_ids=[held.line_id], source=JOB_NAME, details=details)
            canceled.append(True)
            return dispatch(order, [event], now, catalog)

        try:
            change_order(self.engine, held.order_id, change)
        except NotFound:
            return False
        return bool(canceled)


def _held_line(order: SalesOrder | None, held: HeldLine) -> OrderLine | None:
    if order is None:
        return None
    try:
        line = order.line(held.line_id)
    except KeyError:
        return None
    reason = Reason.PREORDER_HOLD if held.kind == HoldKind.PREORDER else Reason.BACKORDER_HOLD
    return line if (line.state, line.reason) == (OrderState.ON_HOLD, reason) else None
