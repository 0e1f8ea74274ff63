"""The composition root: builds adapters from settings once, lazily, and exposes the use cases."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.storage.azure_table import AzureTableService
from adapters.storage.errors import ERRORS_TABLE, TableErrorLog
from adapters.storage.flows import FLOWS_TABLE, TableFlowRepository
from adapters.storage.orders import ORDERS_TABLE, TableOrderRepository
from adapters.storage.outbox import INDEX_TABLE, TableOutbox
from adapters.storage.policies import POLICIES_TABLE, TablePolicyRepository
from adapters.storage.probe import StorageServiceProbe
from adapters.storage.queues import StorageQueuePublisher
from bootstrap.settings import Settings, load_settings
from services import health as health_service
from services import outbox as outbox_service
from services.configuration import Configuration
from services.orders.engine import STEP_QUEUE, Engine
from services.orders.providers import NoActivatedProviders

# Every table and queue the app uses; created at start-up, probed by the health check.
TABLES: tuple[str, ...] = (INDEX_TABLE, ORDERS_TABLE, POLICIES_TABLE, FLOWS_TABLE, ERRORS_TABLE)
QUEUES: tuple[str, ...] = (STEP_QUEUE, f"{STEP_QUEUE}-poison")


@dataclass(frozen=True)
class Container:
    """Wired adapters and the use cases the triggers call."""

    settings: Settings
    tables: AzureTableService
    publisher: StorageQueuePublisher
    outbox: TableOutbox
    clock: SystemClock
    engine: Engine
    configuration: Configuration

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
    outbox = TableOutbox(tables.table, clock)
    policies = TablePolicyRepository(tables.table(POLICIES_TABLE))
    flows = TableFlowRepository(tables.table(FLOWS_TABLE))
    engine = Engine(
        orders=TableOrderRepository(tables.table(ORDERS_TABLE), outbox),
        flows=flows,
        policies=policies,
        errors=TableErrorLog(tables.table(ERRORS_TABLE)),
        providers=NoActivatedProviders(),
        outbox=outbox,
        publisher=publisher,
        clock=clock,
    )
    configuration = Configuration(policies, flows, clock, UuidGenerator())
    return Container(settings, tables, publisher, outbox, clock, engine, configuration)


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
