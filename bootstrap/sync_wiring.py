"""Wiring of the sync engine: its tables, the shipped maps, and an endpoint per target system.

The shipped maps are read from `sync/maps/*.json` and stored once per process start when the
store lacks them (operators' edits stay). An endpoint exists only while its provider instance is
activated and configured, so deactivating F&O or Sales stops the sync to it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from adapters.storage.azure_table import AzureTableService
from adapters.storage.sync import (
    SYNC_CURSORS_TABLE,
    SYNC_LINKS_TABLE,
    SYNC_MAPS_TABLE,
    SYNC_STATUS_TABLE,
    TableSyncCursors,
    TableSyncLinks,
    TableSyncMapStore,
    TableSyncStatusStore,
)
from domain.sync.maps import SyncMap, load_maps
from services.jobs import JobLog, JobRun
from services.orders.engine import Engine
from services.ports import IdGenerator, MessagePublisher
from services.providers.catalog import Providers
from services.sync import maps_admin, messages
from services.sync.context import SyncContext
from services.sync.map_cache import CachedSyncMapStore
from services.sync.outbound import sync_order
from services.sync.ports import SyncEndpoint
from services.sync.tally import Tally

MAPS_DIR = Path(__file__).resolve().parent.parent / "sync" / "maps"
# Providers whose instances the sync maps can target.
SYNC_SYSTEMS: tuple[str, ...] = ("fno", "sales")

EndpointFactory = Callable[[str], SyncEndpoint | None]
INITIAL_PAGE_SIZE = 100


def shipped_maps(directory: Path = MAPS_DIR) -> list[SyncMap]:
    """The maps shipped with the app (SyncMapError naming the file and field if one is bad)."""
    files = sorted(directory.glob("*.json"))
    return load_maps((path.name, path.read_text(encoding="utf-8")) for path in files)


@dataclass
class SyncWiring:
    """Builds the sync context once and seeds the shipped maps on first use."""

    tables: AzureTableService
    engine: Engine
    providers: Providers
    endpoints: EndpointFactory
    job_log: JobLog
    publisher: MessagePublisher
    ids: IdGenerator
    _context: SyncContext | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def context(self) -> SyncContext:
        """The sync engine's ports (maps seeded from the shipped files on first use)."""
        with self._lock:
            if self._context is None:
                context = SyncContext(
                    engine=self.engine,
                    maps=CachedSyncMapStore(
                        TableSyncMapStore(self.tables.table(SYNC_MAPS_TABLE)), self.engine.clock
                    ),
                    links=TableSyncLinks(self.tables.table(SYNC_LINKS_TABLE)),
                    status=TableSyncStatusStore(self.tables.table(SYNC_STATUS_TABLE)),
                    cursors=TableSyncCursors(self.tables.table(SYNC_CURSORS_TABLE)),
                    endpoints=self.endpoints,
                )
                maps_admin.seed_maps(context.maps, shipped_maps(), self.engine.clock.now())
                self._context = context
            return self._context

    def active_systems(self) -> list[str]:
        """The sync targets whose provider is activated now."""
        return [s for s in SYNC_SYSTEMS if self.providers.active(s) is not None]

    def sync_order(self, order_id: str) -> Tally:
        """Send the order where its maps say (after an OrderChanged, or on an operator's ask)."""
        return sync_order(self.context(), order_id)

    def start_initial_sync(self, trigger: str) -> JobRun:
        """Start copying every order through the maps, a queued page at a time."""
        return messages.start_initial_sync(
            self.job_log, self.publisher, self.ids, self.engine.clock, trigger
        )

    def continue_initial_sync(self, body: str) -> JobRun:
        """Sync the queued page and queue the next."""
        return messages.continue_initial_sync(
            self.context(), self.job_log, self.publisher, body, INITIAL_PAGE_SIZE
        )
