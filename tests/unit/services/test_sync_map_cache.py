"""The sync maps cache: one storage read per `ttl`, dropped at once by an edit in this process."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from adapters.storage.memory_table import MemoryTableService
from adapters.storage.sync import SYNC_TABLES, TableSyncMapStore
from domain.sync.maps import SyncMap, load_maps
from services.sync import maps_admin
from services.sync.map_cache import CachedSyncMapStore
from services.sync.ports import StoredMap
from tests.fakes import FixedClock

MAPS_DIR = Path(__file__).resolve().parents[3] / "sync" / "maps"


class CountingStore:
    """The table-backed map store, counting how often every map is read."""

    def __init__(self, inner: TableSyncMapStore) -> None:
        self.inner = inner
        self.reads = 0

    def all(self) -> list[StoredMap]:
        self.reads += 1
        return self.inner.all()

    def get(self, name: str) -> StoredMap | None:
        return self.inner.get(name)

    def versions(self, name: str) -> list[SyncMap]:
        return self.inner.versions(name)

    def save(self, stored: StoredMap) -> StoredMap:
        return self.inner.save(stored)


def cached() -> tuple[CachedSyncMapStore, CountingStore, FixedClock]:
    tables = MemoryTableService()
    tables.create_tables(SYNC_TABLES)
    counting = CountingStore(TableSyncMapStore(tables.table("SyncMaps")))
    clock = FixedClock()
    files = [(p.name, p.read_text()) for p in sorted(MAPS_DIR.glob("*.json"))]
    maps_admin.seed_maps(counting, load_maps(files), clock.now())
    counting.reads = 0
    return CachedSyncMapStore(counting, clock, timedelta(seconds=30)), counting, clock


def test_maps_are_read_once_per_ttl():
    store, counting, clock = cached()
    first = store.all()
    clock.advance(29)
    assert store.all() == first
    assert counting.reads == 1
    clock.advance(1)
    store.all()
    assert counting.reads == 2


def test_an_edit_through_the_cache_is_seen_at_once():
    store, counting, clock = cached()
    name = store.all()[0].sync_map.name
    maps_admin.set_enabled(store, name, False, clock.now())
    current = {stored.sync_map.name: stored.sync_map for stored in store.all()}
    assert current[name].enabled is False
    assert counting.reads == 2
