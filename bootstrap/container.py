"""The composition root: builds adapters from settings once, lazily, and exposes the use cases."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.storage.azure_table import AzureTableService
from adapters.storage.backorders import BACKORDER_INDEX_TABLE, TableBackorderIndex
from adapters.storage.capacity import CAPACITY_TABLE, TableCapacityLedger
from adapters.storage.checkpoints import CHECKPOINTS_TABLE, TableCheckpointStore
from adapters.storage.errors import ERRORS_TABLE, TableErrorLog
from adapters.storage.flows import FLOWS_TABLE, TableFlowRepository
from adapters.storage.incoming import INCOMING_TABLE, TableIncomingIndex
from adapters.storage.inventory import INVENTORY_TABLE, TableInventoryStore
from adapters.storage.jobs import JOB_RUNS_TABLE, SETTINGS_TABLE, TableJobLog, TablePreferenceStore
from adapters.storage.orders import ORDERS_TABLE, TableOrderRepository
from adapters.storage.outbox import INDEX_TABLE, TableOutbox
from adapters.storage.policies import POLICIES_TABLE, TablePolicyRepository
from adapters.storage.probe import StorageServiceProbe
from adapters.storage.providers import PROVIDERS_TABLE, TableProviderRepository
from adapters.storage.purchasing import (
    JOURNAL_TABLE,
    PURCHASE_ORDERS_TABLE,
    TRANSFER_ORDERS_TABLE,
    TableJournal,
    TablePurchaseOrderRepository,
    TableTransferOrderRepository,
)
from adapters.storage.queues import StorageQueuePublisher
from adapters.storage.sources import SOURCES_TABLE, TableSourceRepository
from adapters.storage.stale_totals import STALE_TOTALS_TABLE, TableStaleTotalsIndex
from adapters.storage.strategies import STRATEGIES_TABLE, TableStrategyRepository
from adapters.storage.supply import SUPPLY_TABLE, TableSupplyIndex
from adapters.storage.sync import SYNC_TABLES
from adapters.storage.watchlist import WATCHLIST_TABLE, TableInvoiceWatchlist
from bootstrap.settings import Settings, load_settings
from bootstrap.sync_wiring import SyncWiring
from providers import events as provider_events
from providers.bigcommerce import intake as bigcommerce_intake
from providers.fno.gateway import FnoGateway
from providers.fno.inbound import FnoOrders
from providers.registry import GatewayRegistry
from providers.sap.gateway import SapGateway
from providers.sap.invoices import SapInvoices
from providers.sync_endpoints import SyncEndpoints
from services import health as health_service
from services import inbound_orders
from services import outbox as outbox_service
from services.backorders import BackorderRelease
from services.configuration import Configuration
from services.fulfillment import Fulfillment
from services.inbound_orders import InvoiceWatchingActions
from services.inventory import Inventory
from services.jobs import JobLog, JobRun, PreferenceStore
from services.orders.changes import QUEUE as ORDER_CHANGES_QUEUE
from services.orders.changes import ChangeTrackingOrders, changed_order
from services.orders.engine import STEP_QUEUE, Engine
from services.provider_events import EVENTS_QUEUE
from services.providers.catalog import Providers
from services.providers.runner import ProviderActionRunner
from services.purchasing_cases import Purchasing
from services.sales_totals import SalesTotalsJob
from services.sources import Sources
from services.sourcing import OptimizerPlanner
from services.stock_keeper import InventoryStockKeeper, ReceiptsToInventory
from services.storefront_intake import STOREFRONT_QUEUE, CheckpointStore, StorefrontOrders
from services.sync.messages import INBOUND_QUEUE, INITIAL_QUEUE
from services.sync.origin import sent_by_hub
from services.sync.outbound import sync_order
from services.sync.tally import Tally

# Every table and queue the app uses; created at start-up, probed by the health check.
TABLES: tuple[str, ...] = (
    INDEX_TABLE, ORDERS_TABLE, POLICIES_TABLE, FLOWS_TABLE, ERRORS_TABLE, BACKORDER_INDEX_TABLE,
    JOB_RUNS_TABLE, SETTINGS_TABLE, INVENTORY_TABLE, SUPPLY_TABLE, SOURCES_TABLE,
    STRATEGIES_TABLE, PURCHASE_ORDERS_TABLE, TRANSFER_ORDERS_TABLE, JOURNAL_TABLE, INCOMING_TABLE,
    CAPACITY_TABLE, PROVIDERS_TABLE, WATCHLIST_TABLE, CHECKPOINTS_TABLE, STALE_TOTALS_TABLE,
    *SYNC_TABLES,
)  # fmt: skip
QUEUES: tuple[str, ...] = (
    STEP_QUEUE, f"{STEP_QUEUE}-poison", EVENTS_QUEUE, f"{EVENTS_QUEUE}-poison",
    STOREFRONT_QUEUE, f"{STOREFRONT_QUEUE}-poison", ORDER_CHANGES_QUEUE,
    f"{ORDER_CHANGES_QUEUE}-poison", INBOUND_QUEUE, f"{INBOUND_QUEUE}-poison", INITIAL_QUEUE,
    f"{INITIAL_QUEUE}-poison",
)  # fmt: skip


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
    inventory: Inventory
    sources: Sources
    purchasing: Purchasing
    planner: OptimizerPlanner
    job_log: JobLog
    preferences: PreferenceStore
    backorder_release: BackorderRelease
    providers: Providers
    gateways: GatewayRegistry
    invoice_watchlist: TableInvoiceWatchlist
    sales_totals: SalesTotalsJob
    sync: SyncWiring

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

    def provider_secret(self, definition_id: str, connection: str) -> str | None:
        """The secret the active instance's connection names (an app setting), if set."""
        instance = self.providers.active(definition_id)
        setting = instance.connections.get(connection) if instance is not None else None
        return os.environ.get(setting) or None if setting else None

    def translate_event(self, provider: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A provider-native status event in the hub's ProviderEvent shape."""
        return provider_events.translate(provider, payload)

    def event_secret_header(self, provider: str) -> str | None:
        """The header a provider sends its shared secret in, besides X-Provider-Secret."""
        return provider_events.secret_header(provider)

    def verify_bigcommerce_webhook(
        self, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, str] | None:
        """(order id, dedupe key) of an authentic BigCommerce order callback; WebhookRefused."""
        return bigcommerce_intake.verify_order_webhook(
            headers, body, self.provider_secret("bigcommerce", "webhookSecret"),
            self.provider_secret("bigcommerce", "signingSecret"), self.clock.now(),
        )  # fmt: skip

    def storefront_orders(self) -> StorefrontOrders | None:
        """The active BigCommerce store's orders, or None when none is active and configured."""
        instance = self.providers.active("bigcommerce")
        token = self.provider_secret("bigcommerce", "apiToken")
        if instance is None or token is None:
            return None
        base_url, store_hash = (instance.parameters.get(p) for p in ("baseUrl", "storeHash"))
        if not base_url or not store_hash:
            return None
        return bigcommerce_intake.orders_for(base_url, store_hash, token)

    def checkpoint_store(self) -> CheckpointStore:
        """Where background jobs keep the points they resume from."""
        return TableCheckpointStore(self.tables.table(CHECKPOINTS_TABLE))

    def event_signature_header(self, provider: str) -> str | None:
        """The header carrying a provider's HMAC of the raw body, if it signs its webhooks."""
        return provider_events.signature_header(provider)

    def event_is_signed(self, provider: str, secret: str, body: bytes, header: str | None) -> bool:
        """True when the header carries the provider's signature of the raw body."""
        return provider_events.is_signed(provider, secret, body, header)

    def pull_erp_orders(self) -> inbound_orders.PullReport:
        """Place the orders F&O confirmed since the last pull (nothing while F&O is inactive)."""
        instance = self.providers.active("fno")
        gateway = self.gateways(instance) if instance is not None else None
        if not isinstance(gateway, FnoGateway):
            return inbound_orders.PullReport(examined=0, taken=0)
        return inbound_orders.pull_erp_orders(
            self.engine, FnoOrders(gateway.client), self.checkpoint_store(), self.clock,
            name="fno-orders", ours=lambda command: sent_by_hub(self.sync.context(), command),
        )  # fmt: skip

    def poll_invoices(self) -> inbound_orders.InvoiceSweep:
        """Raise "invoiced" for watched orders SAP has billed (nothing while SAP is inactive)."""
        instance = self.providers.active("sap")
        gateway = self.gateways(instance) if instance is not None else None
        if not isinstance(gateway, SapGateway):
            return inbound_orders.InvoiceSweep(examined=0)
        return inbound_orders.sweep_invoice_watchlist(
            self.engine, SapInvoices(gateway), self.invoice_watchlist
        )

    def run_backorder_release(self, trigger: str) -> JobRun:
        """Run the backorder release job once and return its logged run."""
        return self.backorder_release.run(trigger)

    def run_sales_totals(self, trigger: str) -> JobRun:
        """Run the sales totals job once and return its logged run."""
        return self.sales_totals.run(trigger)

    def take_order_change(self, body: str) -> Tally | None:
        """An OrderChanged message: mark stale totals and sync the order (one read of it)."""
        loaded = changed_order(self.engine.orders, body)
        if loaded is None:
            return None  # malformed, gone, or superseded by a later revision's message
        self.sales_totals.mark_order_if_stale(loaded.order)
        return sync_order(self.sync.context(), loaded.order.order_id, loaded.order)


def build_container(settings: Settings) -> Container:
    """Wire the adapters for the given settings and create the tables and queues."""
    tables = AzureTableService.from_connection_string(settings.storage_connection)
    publisher = StorageQueuePublisher.from_connection_string(settings.storage_connection)
    tables.create_tables(TABLES)
    publisher.create_queues(QUEUES)
    clock, ids = SystemClock(), UuidGenerator()
    outbox = TableOutbox(tables.table, clock)
    policies = TablePolicyRepository(tables.table(POLICIES_TABLE))
    flows = TableFlowRepository(tables.table(FLOWS_TABLE))
    preferences = TablePreferenceStore(tables.table(SETTINGS_TABLE))
    backorder_index = TableBackorderIndex(tables.table(BACKORDER_INDEX_TABLE))
    source_repository = TableSourceRepository(tables.table(SOURCES_TABLE))
    inventory = Inventory(
        store=TableInventoryStore(tables.table(INVENTORY_TABLE)),
        supply=TableSupplyIndex(tables.table(SUPPLY_TABLE)),
        sources=source_repository, clock=clock, ids=ids,
    )  # fmt: skip
    purchasing = Purchasing(
        purchase_orders=TablePurchaseOrderRepository(tables.table(PURCHASE_ORDERS_TABLE)),
        transfer_orders=TableTransferOrderRepository(tables.table(TRANSFER_ORDERS_TABLE)),
        journal=TableJournal(tables.table(JOURNAL_TABLE)),
        index=TableIncomingIndex(tables.table(INCOMING_TABLE)),
        listener=ReceiptsToInventory(inventory), clock=clock, ids=ids,
    )  # fmt: skip
    capacity = TableCapacityLedger(tables.table(CAPACITY_TABLE))
    planner = OptimizerPlanner(
        TableStrategyRepository(tables.table(STRATEGIES_TABLE)), source_repository.list,
        inventory, preferences, clock, capacity,
    )  # fmt: skip
    stock = InventoryStockKeeper(inventory, purchasing)
    providers = Providers(TableProviderRepository(tables.table(PROVIDERS_TABLE)), clock, ids)
    gateways = GatewayRegistry(os.environ.get)
    watchlist = TableInvoiceWatchlist(tables.table(WATCHLIST_TABLE))
    runner = InvoiceWatchingActions(ProviderActionRunner(providers, gateways), watchlist, clock)
    engine = Engine(
        orders=ChangeTrackingOrders(
            TableOrderRepository(tables.table(ORDERS_TABLE), outbox), clock
        ),
        flows=flows,
        policies=policies,
        errors=TableErrorLog(tables.table(ERRORS_TABLE)),
        providers=runner,
        fulfillment=Fulfillment(planner, stock, preferences, backorder_index, capacity),
        outbox=outbox,
        publisher=publisher,
        clock=clock,
        retry_base_seconds=settings.provider_retry_base_seconds,
    )
    job_log = TableJobLog(tables.table(JOB_RUNS_TABLE))
    release = BackorderRelease(
        engine, backorder_index, planner, stock, inventory, job_log, clock, ids
    )
    totals = SalesTotalsJob(
        engine, TableStaleTotalsIndex(tables.table(STALE_TOTALS_TABLE), clock), job_log, clock, ids
    )
    endpoints = SyncEndpoints(os.environ.get, gateways)
    sync = SyncWiring(
        tables, engine, providers, lambda system: endpoints(providers.active(system)), job_log,
        publisher, ids,
    )  # fmt: skip
    return Container(
        settings, tables, publisher, outbox, clock, engine,
        Configuration(policies, flows, clock, ids), inventory, Sources(source_repository),
        purchasing, planner, job_log, preferences, release, providers, gateways, watchlist, totals,
        sync,
    )  # fmt: skip


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
