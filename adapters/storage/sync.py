"""The sync engine's storage on Table Storage: links, maps, status and cursors.

Four tables, one per port, rather than one `Sync` table with partition families:
- each store then owns its whole key space, so an order id, a map name or a partition family
  prefix can never collide with another store's partitions, whatever text they hold;
- their access patterns differ: SyncLinks grows with the orders (two rows per record and map,
  hot during an initial sync), while SyncMaps, SyncStatus and SyncCursors stay a few rows per
  map, so each can be inspected, backed up or cleared on its own;
- a table costs nothing by itself in Table Storage: billing is per transaction and per GB.
"""

from __future__ import annotations

from adapters.storage.sync_links import SYNC_LINKS_TABLE, TableSyncLinks
from adapters.storage.sync_maps import SYNC_MAPS_TABLE, TableSyncMapStore
from adapters.storage.sync_status import (
    SYNC_CURSORS_TABLE,
    SYNC_STATUS_TABLE,
    TableSyncCursors,
    TableSyncStatusStore,
)

SYNC_TABLES = (SYNC_LINKS_TABLE, SYNC_MAPS_TABLE, SYNC_STATUS_TABLE, SYNC_CURSORS_TABLE)

__all__ = [
    "SYNC_CURSORS_TABLE",
    "SYNC_LINKS_TABLE",
    "SYNC_MAPS_TABLE",
    "SYNC_STATUS_TABLE",
    "SYNC_TABLES",
    "TableSyncCursors",
    "TableSyncLinks",
    "TableSyncMapStore",
    "TableSyncStatusStore",
]
