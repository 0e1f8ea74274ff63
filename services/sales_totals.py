"""The sales totals job: recalculate the totals of orders whose inputs changed, and only those.

Every stored order change is announced by an OrderChanged message (services.orders.changes);
its consumer calls `mark_if_stale`, which puts the order in the stale-totals index when its
totals are not current. The job reads only that index, oldest mark first, in batches, so its
cost follows the changes, not the order history. For each order it recalculates the totals
with the order's ETag (retrying on conflicts), sets totals-calculated, and clears the index
row. The save is itself an order change, so its OrderChanged tells the sync engine the order
is now eligible for Sales.

Clearing happens after the save and is followed by a fresh look at the order: a change that
landed between the save and the clear (whose mark the clear may have wiped) is marked again.
An order already current is cleared without a write, so repeated marks and runs are harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from domain.money import UnknownCurrency
from domain.orders.model import SalesOrder
from domain.orders.totals import calculate_totals, totals_current
from services.errors import ConcurrencyConflict, NotFound
from services.jobs import JobLog, JobRun, JobStatus
from services.orders.engine import Catalog, Engine
from services.orders.operations import change_order
from services.outbox import OutboxMessage
from services.ports import Clock, IdGenerator

logger = logging.getLogger(__name__)

JOB_NAME = "sales-totals"
BATCH = 100
MAX_BATCHES = 20  # per run: a steady stream of changes cannot keep one run going for ever


class Outcome(StrEnum):
    """What the job did with one order; the run counts each (JobRun.counts)."""

    CALCULATED = "calculated"
    CURRENT = "current"  # already calculated from its present inputs: nothing to write
    MISSING = "missing"  # the order no longer exists
    CONFLICTED = "conflicted"  # kept changing under the job: stays marked for the next run
    FAILED = "failed"  # cannot be calculated (unknown currency): waits for the order's next change


class StaleTotalsIndex(Protocol):
    """Orders whose totals may be stale, oldest mark first."""

    def mark(self, order_ids: Sequence[str]) -> None:
        """Index the orders; an order already marked keeps its first mark (idempotent)."""
        ...

    def stale(self, limit: int) -> list[str]:
        """Up to `limit` marked order ids, oldest mark first."""
        ...

    def clear(self, order_ids: Sequence[str]) -> None:
        """Drop the orders' marks (missing ones are fine)."""
        ...


class _AlreadyCurrent(Exception):
    """Raised inside a change to leave an order whose totals are current unwritten."""


@dataclass
class SalesTotalsJob:
    """Everything the sales totals job reads and changes."""

    engine: Engine
    index: StaleTotalsIndex
    log: JobLog
    clock: Clock
    ids: IdGenerator

    def mark_if_stale(self, order_id: str) -> bool:
        """Index the order if its stored totals are not current; True if it was marked."""
        loaded = self.engine.orders.get(order_id)
        return loaded is not None and self.mark_order_if_stale(loaded.order)

    def mark_order_if_stale(self, order: SalesOrder) -> bool:
        """Index an order just read if its totals are not current; True if it was marked."""
        if totals_current(order):
            return False
        self.index.mark([order.order_id])
        return True

    def run(self, trigger: str) -> JobRun:
        """One run of the job, logged with its counts (examined, calculated, current, ...)."""
        run = JobRun(JOB_NAME, self.ids.new_id(), self.clock.now(), trigger)
        run.counts = {outcome.value: 0 for outcome in Outcome}
        self.log.save(run)
        try:
            self._work(run)
            run.status = JobStatus.SUCCEEDED
        except Exception as err:  # the log must say the run failed, and why
            run.status = JobStatus.FAILED
            run.details.append(f"failed: {err}")
            logger.exception("sales totals run %s failed", run.run_id)
        run.ended_at = self.clock.now()
        self.log.save(run)
        return run

    def _work(self, run: JobRun) -> None:
        seen: set[str] = set()
        left = 0  # orders this run left marked: the index answers them first again
        for _ in range(MAX_BATCHES):
            batch = [i for i in self.index.stale(BATCH + left) if i not in seen]
            if not batch:
                return
            seen.update(batch)
            outcomes = {order_id: self._settle(order_id, run) for order_id in batch}
            for outcome in outcomes.values():
                run.counts[outcome.value] += 1
            kept = [i for i in batch if outcomes[i] == Outcome.CONFLICTED]
            left += len(kept)
            self.index.clear([i for i in batch if i not in kept])
            self._mark_changed([i for i in batch if outcomes[i] in _SETTLED])

    def _settle(self, order_id: str, run: JobRun) -> Outcome:
        run.examined += 1
        try:
            change_order(self.engine, order_id, self._recalculate)
        except _AlreadyCurrent:
            return Outcome.CURRENT
        except NotFound:
            return Outcome.MISSING
        except ConcurrencyConflict as err:
            run.details.append(f"{order_id}: totals not calculated, retried next run: {err}")
            return Outcome.CONFLICTED
        except UnknownCurrency as err:
            run.details.append(f"{order_id}: totals not calculated: {err}")
            return Outcome.FAILED
        return Outcome.CALCULATED

    def _recalculate(self, order: SalesOrder, _catalog: Catalog) -> list[OutboxMessage]:
        if totals_current(order):
            raise _AlreadyCurrent
        order.totals = calculate_totals(order, self.clock.now())
        order.totals_calculated = True
        return []

    def _mark_changed(self, order_ids: Sequence[str]) -> None:
        """Mark again the orders that changed after their totals were calculated."""
        for order_id in order_ids:
            self.mark_if_stale(order_id)


_SETTLED = (Outcome.CALCULATED, Outcome.CURRENT)
