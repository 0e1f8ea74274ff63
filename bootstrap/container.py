"""The composition root: builds adapters from settings once, lazily, and exposes the use cases."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from adapters.clock import SystemClock
from adapters.storage.azure_table import AzureTableService
from adapters.storage.outbox import INDEX_TABLE, TableOutbox
from adapters.storage.probe import StorageServiceProbe
from adapters.storage.queues import StorageQueuePublisher
from bootstrap.settings import Settings, load_settings
from services import health as health_service
from services import outbox as outbox_service

# Every table and queue the app uses; created at start-up, probed by the health check.
TABLES: tuple[str, ...] = (INDEX_TABLE,)
QUEUES: tuple[str, ...] = ()


@dataclass(frozen=True)
class Container:
    """Wired adapters and the use cases the triggers call."""

    settings: Settings
    tables: AzureTableService
    publisher: StorageQueuePublisher
    outbox: TableOutbox
    clock: SystemClock

    def check_health(self) -> health_service.HealthReport:
        """Probe every table and queue the app needs."""
        probe = StorageServiceProbe(self.tables, self.publisher)
        return health_service.check_health(probe, list(TABLES), list(QUEUES))

    def sweep_outbox(self) -> outbox_service.SweepReport:
        """Relay outbox messages a crashed process left pending."""
        grace = timedelta(seconds=self.settings.outbox_sweep_grace_seconds)
        return outbox_service.sweep(
            self.outbox, self.publisher, self.clock, grace=grace,
            limit=self.settings.outbox_sweep_limit,
        )  # fmt: skip

    def pending_outbox(self) -> list[outbox_service.OutboxEntry]:
        """Messages staged more than the grace period ago and still not relayed."""
        grace = timedelta(seconds=self.settings.outbox_sweep_grace_seconds)
        return self.outbox.due(self.clock.now() - grace, self.settings.outbox_sweep_limit)


def build_container(settings: Settings) -> Container:
    """Wire the adapters for the given settings and create the tables and queues."""
    tables = AzureTableService.from_connection_string(settings.storage_connection)
    publisher = StorageQueuePublisher.from_connection_string(settings.storage_connection)
    tables.create_tables(TABLES)
    publisher.create_queues(QUEUES)
    clock = SystemClock()
    return Container(settings, tables, publisher, TableOutbox(tables.table, clock), clock)


_lock = threading.Lock()
_container: Container | None = None


def get_container() -> Container:
    """The process-wide container, built on first use (never at import)."""
    global _container
    with _lock:
        if _container is None:
            _container = build_container(load_settings())
        return _container


def reset_container() -> None:
    """Forget the container so the next call rebuilds it (tests, settings changes)."""
    global _container
    with _lock:
        _container = None
