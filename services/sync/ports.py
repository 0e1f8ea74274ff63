"""Ports of the sync engine: the other system's records, and where the engine keeps its state.

The hub is always the source side of a map; the target is another system reached through a
`SyncEndpoint` (F&O OData, Dataverse Web API for Dynamics 365 Sales). Field values are the
filter language's scalars: Decimal for money and quantities (never float), aware datetimes,
str, int, bool, None. Endpoints raise `services.providers.gateway` failures (transient or
permanent) and `VersionConflict` when a conditional write lost a race.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.filters import FilterValue
from domain.sync.maps import SyncMap

Fields = dict[str, FilterValue]


class VersionConflict(Exception):
    """The record changed on its side since the version the write was conditional on."""


class LinkConflict(Exception):
    """The link (or map, status, cursor) changed since it was read; reread and try again."""


@dataclass(frozen=True)
class RemoteRecord:
    """A record of the target system: its key, its fields and its version (ETag)."""

    entity: str  # the map's target entity name, e.g. "CDS sales order headers" or "salesorders"
    key: Fields  # the fields that identify it on its side
    fields: Fields  # every field the endpoint returned (the key fields included)
    version: str | None  # the ETag, compared to tell our own writes from others' changes
    modified_at: datetime | None = None  # for polling cursors


class SyncEndpoint(Protocol):
    """One target system's entities, read and written by entity name (the maps' target_entity)."""

    def get(self, entity: str, key: Mapping[str, FilterValue]) -> RemoteRecord | None:
        """The record with this key, or None when it does not exist."""
        ...

    def find(self, entity: str, fields: Mapping[str, FilterValue]) -> RemoteRecord | None:
        """The one record whose fields equal these (e.g. the map's key fields), or None."""
        ...

    def create(self, entity: str, fields: Mapping[str, FilterValue]) -> RemoteRecord:
        """Create the record; the returned record carries the key the system assigned."""
        ...

    def update(
        self,
        entity: str,
        key: Mapping[str, FilterValue],
        fields: Mapping[str, FilterValue],
        *,
        if_version: str | None = None,
    ) -> RemoteRecord:
        """Write these fields; with `if_version`, VersionConflict when the record moved on."""
        ...

    def changed_since(
        self, entity: str, since: datetime | None, limit: int
    ) -> Sequence[RemoteRecord]:
        """Up to `limit` records modified at or after `since`, oldest change first."""
        ...

    def children(
        self, entity: str, parent_key: Mapping[str, FilterValue]
    ) -> Sequence[RemoteRecord]:
        """The records of `entity` that belong to the parent with this key (an order's lines).

        PermanentProviderFailure when `entity` has no parent on this system.
        """
        ...


@dataclass
class SyncLink:
    """What the engine knows about one hub record on one map: where it lives and what it holds.

    `source_values` / `target_values` are the canonical texts (see `domain.sync.values`) of the
    mapped fields as last synced on each side: a change equal to them is an echo, and a field
    that differs on both sides since then is a conflict that the field's owner decides.
    """

    map_name: str
    record_id: str  # the hub record: an order id, or "<order id>/<line id>" for a line
    target_key: Fields = field(default_factory=dict)
    target_version: str | None = None
    source_values: dict[str, str] = field(default_factory=dict)
    target_values: dict[str, str] = field(default_factory=dict)
    origin: str | None = None  # the system whose change was synced last ("hub", "fno", ...)
    synced_at: datetime | None = None
    error: str | None = None  # the last Sync Error, cleared by the next successful sync
    etag: str | None = None  # storage concurrency token, set by the store


class SyncLinks(Protocol):
    """Links per (map, hub record), and the reverse index from a target key to the hub record."""

    def get(self, map_name: str, record_id: str) -> SyncLink | None:
        """The link, or None."""
        ...

    def for_order(self, order_id: str) -> list[SyncLink]:
        """Every link of an order and its lines, on every map (one partition)."""
        ...

    def find(self, map_name: str, target_key: Mapping[str, FilterValue]) -> SyncLink | None:
        """The link whose target record has this key, or None."""
        ...

    def save(self, link: SyncLink) -> SyncLink:
        """Insert (etag None) or replace if unchanged since read (LinkConflict); new etag set."""
        ...


@dataclass
class StoredMap:
    """A sync map as stored: the current version, and when and by whom it was last changed."""

    sync_map: SyncMap
    updated_at: datetime
    etag: str | None = None


class SyncMapStore(Protocol):
    """Sync maps, versioned: each save keeps the previous version readable."""

    def all(self) -> list[StoredMap]:
        """The current version of every map."""
        ...

    def get(self, name: str) -> StoredMap | None:
        """The current version of one map."""
        ...

    def versions(self, name: str) -> list[SyncMap]:
        """Every stored version of a map, oldest first."""
        ...

    def save(self, stored: StoredMap) -> StoredMap:
        """Store a new version (its version must be the current one + 1, or 1 for a new map).

        LinkConflict when another save took that version first.
        """
        ...


@dataclass
class MapStatus:
    """Counts and last run of one map (summed over the store's shards)."""

    map_name: str
    synced: int = 0
    failed: int = 0
    skipped: int = 0  # filtered out or nothing to send, in runs that did something (Tally)
    echoes: int = 0  # changes that came back from where they were made, not sent again
    conflicts: int = 0
    last_run_at: datetime | None = None
    last_error: str | None = None


class SyncStatusStore(Protocol):
    """Running counts per map, sharded so concurrent workers rarely touch the same row."""

    def add(self, status: MapStatus, shard: int) -> None:
        """Add the counts to the shard's row; keep the later last_run_at and its last_error."""
        ...

    def get(self, map_name: str) -> MapStatus:
        """The map's counts summed over shards (zeros when nothing ran yet)."""
        ...


class SyncCursors(Protocol):
    """Per-map watermarks for polling a target for changes."""

    def get(self, map_name: str) -> datetime | None:
        """The watermark, or None when the map was never polled."""
        ...

    def advance(self, map_name: str, watermark: datetime) -> None:
        """Move the watermark forward (never back)."""
        ...
