"""Initial sync: copy the hub's existing orders through the same path as live changes.

It pages through the orders (a page per call, so a job can spread the work over queue
messages and record progress between them) and runs each order through `sync_order`, whose
links make a second run send only what is missing. Counts say how many orders went, failed
(at least one record with a Sync Error) or were left where they are (filtered or unchanged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.orders.ports import OrderQuery
from services.sync.context import SyncContext
from services.sync.outbound import sync_order
from services.sync.tally import Tally

PAGE_SIZE = 100


@dataclass
class InitialSyncCounts:
    """Orders examined, synced, failed and skipped so far."""

    examined: int = 0
    synced: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, tally: Tally) -> None:
        """Count one order by the worst outcome of its records."""
        self.examined += 1
        statuses = tally.counts.values()
        if any(s.failed for s in statuses):
            self.failed += 1
        elif any(s.synced for s in statuses):
            self.synced += 1
        else:
            self.skipped += 1


def initial_sync_page(
    context: SyncContext,
    counts: InitialSyncCounts,
    continuation: str | None,
    page_size: int = PAGE_SIZE,
) -> str | None:
    """Sync one page of orders into `counts`; return the continuation (None when done)."""
    page = context.engine.orders.list(OrderQuery(), continuation, page_size)
    for summary in page.orders:
        counts.add(sync_order(context, summary.order_id))
    return page.continuation


def initial_sync(
    context: SyncContext,
    progress: Callable[[InitialSyncCounts], None] | None = None,
    page_size: int = PAGE_SIZE,
) -> InitialSyncCounts:
    """Sync every order, page by page, reporting progress after each page."""
    counts = InitialSyncCounts()
    continuation: str | None = None
    while True:
        continuation = initial_sync_page(context, counts, continuation, page_size)
        if progress is not None:
            progress(counts)
        if continuation is None:
            return counts
