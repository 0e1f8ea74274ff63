"""SyncMapStore on Table Storage: the current version of each map, and every version kept.

Layout of the SyncMaps table:
- partition `current`, RowKey = escaped map name: the current version (`all` is one query);
- partition `versions|<map name>`, RowKey = version zero-padded to 10: one row per version, so
  `versions` is one partition query in version order.

Each row holds the map's whole JSON (`SyncMap.model_dump_json`) with the columns Name, Version,
Enabled, SourceEntity, TargetEntity and UpdatedAt beside it. JSON whose wire form (ASCII, as
the SDK sends it) is up to 256 KiB is text spread over properties (`Json`, `Json01`, ...),
readable in any table browser; longer JSON is zlib-compressed into binary properties (`JsonZ`,
`JsonZ01`, ...) of 64 KiB. The compressed size is bounded to 704 KiB because the request body
carries binary as base64 (4/3) and Azurite refuses a body over 1 MiB; JSON compresses several
times, so maps of a few MB still fit (the shipped maps are ~10 KiB).

Order of writes in `save`, after reading the current row: archive the current version into its
version row (an idempotent upsert), replace the current row conditionally on the ETag read (the
one point where concurrent saves are serialised: the loser gets LinkConflict), then write the
new version row. A crash anywhere leaves the current row as the truth: `versions` puts the
current row in place of its version, and the next save archives it again. Inserting the version
row first instead would let a crashed save block that version number forever.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from datetime import datetime

from adapters.storage.entities import (
    MAX_BINARY_BYTES,
    MAX_STRING_CHARS,
    Entity,
    EntityValue,
    StorageLimitExceeded,
    UpdateMode,
)
from adapters.storage.keys import escape_key, join_key
from adapters.storage.sync_links import as_utc, bounded_key
from adapters.storage.table import Table, joined_text, text_properties
from domain.sync.maps import SyncMap
from services.errors import ConcurrencyConflict
from services.sync.ports import LinkConflict, StoredMap

SYNC_MAPS_TABLE = "SyncMaps"
CURRENT_PARTITION = "current"
VERSIONS_FAMILY = "versions"
TEXT_LIMIT = 8 * MAX_STRING_CHARS  # wire characters kept as readable text (a quarter of 1 MiB)
PACKED_LIMIT = 11 * MAX_BINARY_BYTES  # compressed bytes whose base64 stays under a 1 MiB body
_PACKED = re.compile(r"JsonZ(\d{2})?")


class TableSyncMapStore:
    """Current map versions in one partition, each map's versions in a partition of its own."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def all(self) -> list[StoredMap]:
        """The current version of every map."""
        return [_stored(row) for row in self._table.query(CURRENT_PARTITION)]

    def get(self, name: str) -> StoredMap | None:
        """The current version of one map."""
        row = self._table.get(CURRENT_PARTITION, map_key(name))
        return None if row is None else _stored(row)

    def versions(self, name: str) -> list[SyncMap]:
        """Every stored version of a map, oldest first."""
        by_version = {m.version: m for m in map(_map, self._table.query(versions_of(name)))}
        current = self.get(name)
        if current is not None:
            # The current row is the truth, and its version row may not be written yet.
            by_version[current.sync_map.version] = current.sync_map
            by_version = {v: m for v, m in by_version.items() if v <= current.sync_map.version}
        return [by_version[version] for version in sorted(by_version)]

    def save(self, stored: StoredMap) -> StoredMap:
        """Store a new version (current + 1, or 1 for a new map); LinkConflict if taken."""
        name, version = stored.sync_map.name, stored.sync_map.version
        current = self._table.get(CURRENT_PARTITION, map_key(name))
        expected = 1 if current is None else _version(current) + 1
        if version != expected:
            raise LinkConflict(f"map {name!r} takes version {expected} next, not {version}")
        if current is not None:
            archived = Entity(versions_of(name), version_key(_version(current)), current.properties)
            self._table.upsert(archived, UpdateMode.REPLACE)
        columns = _columns(stored)
        row = Entity(CURRENT_PARTITION, map_key(name), columns)
        try:
            if current is None:
                written = self._table.insert(row)
            else:
                conditional = Entity(row.partition_key, row.row_key, columns, current.etag)
                written = self._table.update(conditional, UpdateMode.REPLACE)
        except ConcurrencyConflict as err:  # EntityAlreadyExists included
            raise LinkConflict(f"map {name!r} version {version} was saved by another") from err
        self._table.upsert(
            Entity(versions_of(name), version_key(version), columns), UpdateMode.REPLACE
        )
        return StoredMap(stored.sync_map, _updated_at(written), written.etag)


def map_key(name: str) -> str:
    """RowKey of a map's current row."""
    return bounded_key(escape_key(name))


def versions_of(name: str) -> str:
    """PartitionKey of a map's version history."""
    return bounded_key(join_key(VERSIONS_FAMILY, name))


def version_key(version: int) -> str:
    """RowKey of a version; zero-padding makes key order the version order."""
    return f"{version:010d}"


def _columns(stored: StoredMap) -> dict[str, EntityValue]:
    sync_map = stored.sync_map
    return {
        "Name": sync_map.name,
        "Version": sync_map.version,
        "Enabled": sync_map.enabled,
        "SourceEntity": sync_map.source_entity,
        "TargetEntity": sync_map.target_entity,
        "UpdatedAt": as_utc(stored.updated_at),
        **document_properties(sync_map.name, sync_map.model_dump_json()),
    }


def document_properties(name: str, text: str) -> dict[str, EntityValue]:
    """A map's JSON as text properties, or compressed binary ones when it is long."""
    if len(json.dumps(text)) <= TEXT_LIMIT:
        return text_properties("Json", text)
    packed = zlib.compress(text.encode("utf-8"), 9)
    if len(packed) > PACKED_LIMIT:
        raise StorageLimitExceeded(
            f"sync map {name!r} is too large to store: {len(packed)} bytes compressed, "
            f"at most {PACKED_LIMIT}"
        )
    pieces = [packed[i : i + MAX_BINARY_BYTES] for i in range(0, len(packed), MAX_BINARY_BYTES)]
    return {"JsonZ" if i == 0 else f"JsonZ{i:02d}": piece for i, piece in enumerate(pieces)}


def document_text(properties: Mapping[str, EntityValue]) -> str:
    """The JSON `document_properties` stored, whichever way it was stored."""
    names = sorted(n for n in properties if _PACKED.fullmatch(n))
    if not names:
        return joined_text("Json", properties)
    packed = b"".join(_bytes(properties[n]) for n in names)
    return zlib.decompress(packed).decode("utf-8")


def _bytes(value: EntityValue) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError("a compressed map piece is not binary")
    return value


def _map(row: Entity) -> SyncMap:
    return SyncMap.model_validate_json(document_text(row.properties))


def _version(row: Entity) -> int:
    value = row.properties["Version"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"sync map row {row.row_key!r} has no Version")
    return value


def _updated_at(row: Entity) -> datetime:
    value = row.properties["UpdatedAt"]
    if not isinstance(value, datetime):
        raise TypeError(f"sync map row {row.row_key!r} has no UpdatedAt")
    return value


def _stored(row: Entity) -> StoredMap:
    return StoredMap(_map(row), _updated_at(row), row.etag)
