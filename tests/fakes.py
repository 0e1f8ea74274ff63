"""Fakes of our own ports (never of the Azure SDK or httpx)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.inventory.sources import FulfillmentSource
from domain.orders.model import SalesOrder
from domain.orders.preferences import OrderHandlingPreferences
from services.backorder_index import HeldLine
from services.errors import StorageUnavailable
from services.fulfillment import Allocation, Determination, Reserved
from services.jobs import JobRun, JobRunPage
from services.outbox import OutboxEntry, OutboxRecord


@dataclass
class FixedClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 12, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@dataclass
class FakePublisher:
    sent: list[tuple[str, str]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)

    delays: list[int] = field(default_factory=list)

    def publish(self, queue: str, body: str, delay_seconds: int = 0) -> None:
        if queue in self.unreachable:
            raise StorageUnavailable(f"queue {queue} unreachable")
        self.sent.append((queue, body))
        self.delays.append(delay_seconds)

    def ids(self, queue: str | None = None) -> list[str]:
        return [json.loads(body)["id"] for q, body in self.sent if queue in (None, q)]


@dataclass
class FakeOutboxStore:
    """Records keyed by message id; entries with the time they were staged."""

    records: dict[str, OutboxRecord] = field(default_factory=dict)
    entries: dict[str, tuple[datetime, OutboxEntry]] = field(default_factory=dict)

    def add(self, record: OutboxRecord | None, entry: OutboxEntry, staged_at: datetime) -> None:
        if record is not None:
            self.records[entry.message_id] = record
        self.entries[entry.row_key] = (staged_at, entry)

    def due(self, staged_before: datetime, limit: int) -> list[OutboxEntry]:
        due = sorted((t, e.row_key, e) for t, e in self.entries.values() if t < staged_before)
        return [e for _, _, e in due][:limit]

    def load(self, entry: OutboxEntry) -> OutboxRecord | None:
        return self.records.get(entry.message_id)

    def mark_sent(self, records: Sequence[OutboxRecord], sent_at: datetime) -> None:
        for record in records:
            self.records[record.message.message_id] = replace(record, sent_at=sent_at)

    def forget(self, entries: Sequence[OutboxEntry]) -> None:
        for entry in entries:
            self.entries.pop(entry.row_key, None)


@dataclass
class FakeStock:
    """StockKeeper over a dict of available quantities; reservations idempotent per reference."""

    available: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    source_map: dict[str, FulfillmentSource] = field(default_factory=dict)
    reserved: dict[str, tuple[tuple[str, str], Decimal]] = field(default_factory=dict)
    supply_dates: dict[str, datetime] = field(default_factory=dict)

    def reserve_allocations(self, allocations: Sequence[Allocation]) -> list[Reserved]:
        results = []
        for a in allocations:
            if a.reference not in self.reserved:
                stock_key = (a.source_id, a.product_id or "")
                take = min(a.quantity, self.available.get(stock_key, Decimal(0)))
                if a.product_id is None:
                    take = a.quantity  # write-in products have no stock record
                self.available[stock_key] = self.available.get(stock_key, Decimal(0)) - take
                self.reserved[a.reference] = (stock_key, take)
            results.append(Reserved(a, self.reserved[a.reference][1]))
        return results

    def release_references(self, references: Sequence[str]) -> None:
        for reference in references:
            stock_key, taken = self.reserved.pop(reference, (("", ""), Decimal(0)))
            if stock_key[1]:
                self.available[stock_key] = self.available.get(stock_key, Decimal(0)) + taken

    def check(self, allocations: Sequence[Allocation]) -> list[Reserved]:
        return [
            Reserved(
                a,
                min(a.quantity, self.available.get((a.source_id, a.product_id or ""), Decimal(0))),
            )
            for a in allocations
        ]

    def earliest_supply(self, product_id: str) -> datetime | None:
        return self.supply_dates.get(product_id)

    def sources(self) -> dict[str, FulfillmentSource]:
        return dict(self.source_map)


@dataclass
class NearestFirstPlanner:
    """SourcingPlanner fake: takes stock from sources in a fixed order of preference."""

    stock: FakeStock
    order_of_sources: list[str]

    def determine(self, order: SalesOrder, open_quantities: dict[str, Decimal]) -> Determination:
        allocations = []
        left = dict(self.stock.available)
        for line_id, wanted in open_quantities.items():
            product = order.line(line_id).product_id or ""
            for source in self.order_of_sources:
                take = min(wanted, left.get((source, product), Decimal(0)))
                if take > 0:
                    allocations.append(Allocation(line_id, product or None, source, take))
                    left[(source, product)] -= take
                    wanted -= take
        return Determination(allocations)


@dataclass
class MemoryBackorderIndex:
    lines: dict[tuple[str, str], HeldLine] = field(default_factory=dict)

    def add(self, line: HeldLine) -> None:
        self.lines[(line.order_id, line.line_id)] = line

    def held(self, product_id: str, limit: int) -> list[HeldLine]:
        found = [h for h in self.lines.values() if h.product_id == product_id]
        return sorted(found, key=lambda h: (h.ordered_at, h.priority, h.order_id, h.line_id))[
            :limit
        ]

    def due(self, before: datetime, limit: int) -> list[HeldLine]:
        found = [h for h in self.lines.values() if h.due_at < before]
        return sorted(found, key=lambda h: (h.due_at, h.order_id, h.line_id))[:limit]

    def remove(self, line: HeldLine) -> None:
        self.lines.pop((line.order_id, line.line_id), None)


@dataclass
class MemoryPreferences:
    preferences: OrderHandlingPreferences = field(default_factory=OrderHandlingPreferences)

    def load(self) -> OrderHandlingPreferences:
        return self.preferences

    def save(self, preferences: OrderHandlingPreferences) -> None:
        self.preferences = preferences


@dataclass
class MemoryJobLog:
    saved: dict[str, JobRun] = field(default_factory=dict)

    def save(self, run: JobRun) -> None:
        self.saved[run.run_id] = replace(run, details=list(run.details))

    def runs(self, job: str, continuation: str | None, limit: int) -> JobRunPage:
        runs = sorted((r for r in self.saved.values() if r.job == job), key=lambda r: r.started_at)
        return JobRunPage(list(reversed(runs))[:limit], None)


@dataclass
class MemorySupplyFeed:
    products: list[str] = field(default_factory=list)

    def supplied_products(self, limit: int) -> list[str]:
        return self.products[:limit]

    def clear_supplied(self, product_ids: Sequence[str]) -> None:
        self.products = [p for p in self.products if p not in product_ids]
