"""The transactional outbox: messages committed with state, relayed to queues, swept after crashes.

A repository stages an order's state change and its messages in one entity group transaction
(same partition), after first writing an index row per message in a small shard partition. The
relay publishes right after the commit, marks the rows sent and forgets the index rows. If the
process dies in between, the sweeper finds the index rows older than a grace period and finishes
the job. Delivery is at least once; consumers dedupe by the envelope's message id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Protocol

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from services.errors import StorageUnavailable
from services.ports import Clock, MessagePublisher

logger = logging.getLogger(__name__)

QUEUE_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"


def _no_double_dash(name: str) -> str:
    if "--" in name:
        raise ValueError("queue names may not contain consecutive dashes")
    return name


QueueName = Annotated[str, Field(pattern=QUEUE_NAME_PATTERN), AfterValidator(_no_double_dash)]


class OutboxMessage(BaseModel):
    """A message to send once the state change that caused it has committed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: str = Field(min_length=1, max_length=200)
    queue: QueueName
    type: str = Field(min_length=1, max_length=100)
    data: dict[str, JsonValue]
    occurred_at: AwareDatetime
    delay_seconds: int = Field(default=0, ge=0, le=7 * 24 * 3600)  # e.g. a retry's backoff

    def envelope(self) -> str:
        """The JSON body put on the queue; consumers dedupe by `id`."""
        return json.dumps(
            {
                "id": self.message_id,
                "type": self.type,
                "occurredAt": self.occurred_at.isoformat(),
                "data": self.data,
            },
            separators=(",", ":"),
            sort_keys=True,
        )


@dataclass(frozen=True)
class OutboxEntry:
    """An index row pointing at a message that may still be unsent."""

    shard: str
    row_key: str
    table: str
    partition_key: str
    message_id: str


@dataclass(frozen=True)
class OutboxRecord:
    """A stored outbox message, with its index entry and when it was sent (None if pending)."""

    message: OutboxMessage
    entry: OutboxEntry
    sent_at: datetime | None = None


class OutboxStore(Protocol):
    """Reads and settles outbox rows; staging happens in the repositories' transactions."""

    def due(self, staged_before: datetime, limit: int) -> list[OutboxEntry]:
        """Index entries staged before the given time, oldest first, at most `limit`."""
        ...

    def load(self, entry: OutboxEntry) -> OutboxRecord | None:
        """The message an entry points at; None if its transaction never committed."""
        ...

    def mark_sent(self, records: Sequence[OutboxRecord], sent_at: datetime) -> None:
        """Record that the messages were published."""
        ...

    def forget(self, entries: Sequence[OutboxEntry]) -> None:
        """Delete index entries (missing ones are fine)."""
        ...


@dataclass
class SweepReport:
    """What one sweep did."""

    examined: int = 0
    sent: int = 0
    already_sent: int = 0
    orphaned: int = 0
    failed: list[str] = field(default_factory=list)


def relay(
    records: Sequence[OutboxRecord], store: OutboxStore, publisher: MessagePublisher, clock: Clock
) -> None:
    """Publish freshly committed messages, then mark them sent and drop their index rows."""
    for record in records:
        message = record.message
        publisher.publish(message.queue, message.envelope(), message.delay_seconds)
    if records:
        store.mark_sent(records, clock.now())
        store.forget([record.entry for record in records])


def sweep(
    store: OutboxStore,
    publisher: MessagePublisher,
    clock: Clock,
    *,
    grace: timedelta,
    limit: int = 500,
) -> SweepReport:
    """Finish what a crashed relay left: publish pending messages staged before now - grace."""
    report = SweepReport()
    for entry in store.due(clock.now() - grace, limit):
        report.examined += 1
        try:
            _settle(entry, store, publisher, clock, report)
        except StorageUnavailable as err:
            # Leave the entry for the next sweep; one unreachable queue must not stall the rest.
            logger.warning("outbox message %s not relayed: %s", entry.message_id, err)
            report.failed.append(entry.message_id)
    return report


def _settle(
    entry: OutboxEntry,
    store: OutboxStore,
    publisher: MessagePublisher,
    clock: Clock,
    report: SweepReport,
) -> None:
    record = store.load(entry)
    if record is None:
        report.orphaned += 1  # the state change never committed, so there is nothing to send
    elif record.sent_at is not None:
        report.already_sent += 1  # the relay sent it but died before dropping the index row
    else:
        message = record.message
        # A delayed message keeps whatever of its delay has not passed yet.
        waited = (clock.now() - message.occurred_at).total_seconds()
        publisher.publish(
            message.queue, message.envelope(), max(0, int(message.delay_seconds - waited))
        )
        store.mark_sent([record], clock.now())
        report.sent += 1
        logger.info("outbox sweeper sent %s to %s", entry.message_id, record.message.queue)
    store.forget([entry])
