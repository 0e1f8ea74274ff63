"""Fakes of our own ports (never of the Azure SDK or httpx)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from services.errors import StorageUnavailable
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

    def publish(self, queue: str, body: str) -> None:
        if queue in self.unreachable:
            raise StorageUnavailable(f"queue {queue} unreachable")
        self.sent.append((queue, body))

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
