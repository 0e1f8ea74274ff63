"""SyncLinks on Table Storage: one partition per order, and a reverse index per map.

Layout of the SyncLinks table:
- PartitionKey = the escaped order id (the part of the record id before `/`), RowKey =
  `<map name>|<record id>` (each escaped): a link row per (map, hub record), so `for_order` is
  one partition query that returns the header's and every line's links on every map;
- PartitionKey = `key|<map name>`, RowKey = `<field>|<canonical value>|...` over the sorted key
  fields (`domain.sync.values.canonical`, each part escaped): the reverse index from a target
  key to the hub record, so `find` is two point reads (index row, then link row).

The index row is upserted (idempotent) before the link row, and `find` checks that the link
still holds that key: a crash between the two, a lost race or a key that changed since leaves
at worst an index row that is ignored, never a wrong answer. Escaped order ids hold no `|`, so
the two families never meet. A key longer than the service allows is replaced by `%H<sha-256>`,
which escaping can never produce.

Values: `target_key` is JSON with Decimal, datetime and UUID values tagged (`{"decimal":
"10.00"}`), so every field comes back with its type and digits; `source_values` and
`target_values` are JSON text spread over properties when long; an error message is cut to
16,384 characters (marked ` [cut]`); `synced_at` is a datetime (naive taken as UTC).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from adapters.storage.entities import (
    MAX_KEY_CHARS,
    MAX_STRING_CHARS,
    Entity,
    EntityValue,
    UpdateMode,
)
from adapters.storage.keys import escape_key, join_key, key_length
from adapters.storage.table import Table, joined_text, text_properties
from domain.filters import FilterValue
from domain.sync.values import canonical
from services.errors import ConcurrencyConflict, EntityAlreadyExists
from services.sync.ports import Fields, LinkConflict, SyncLink

SYNC_LINKS_TABLE = "SyncLinks"
INDEX_FAMILY = "key"
HASHED_KEY_PREFIX = "%H"  # escaped text always writes `%` as `%25`, so this prefix is free
_CUT = " [cut]"


class TableSyncLinks:
    """Links in their order's partition, with a reverse-index partition per map."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, map_name: str, record_id: str) -> SyncLink | None:
        """The link, or None."""
        row = self._table.get(link_partition(record_id), link_row_key(map_name, record_id))
        return None if row is None else _link(row)

    def for_order(self, order_id: str) -> list[SyncLink]:
        """Every link of an order and its lines, on every map (one partition)."""
        return [_link(row) for row in self._table.query(order_partition(order_id))]

    def find(self, map_name: str, target_key: Mapping[str, FilterValue]) -> SyncLink | None:
        """The link whose target record has this key, or None."""
        if not target_key:
            return None
        index = self._table.get(index_partition(map_name), index_row_key(target_key))
        if index is None:
            return None
        link = self.get(map_name, str(index.properties["RecordId"]))
        # The index may name a record that never got (or no longer holds) this key.
        if link is None or index_row_key(link.target_key) != index_row_key(target_key):
            return None
        return link

    def save(self, link: SyncLink) -> SyncLink:
        """Insert (etag None) or replace if unchanged since read (LinkConflict); new etag set."""
        if link.target_key:
            self._table.upsert(_index_row(link), UpdateMode.REPLACE)
        row = _link_row(link)
        try:
            if link.etag is None:
                written = self._table.insert(row)
            else:
                conditional = Entity(row.partition_key, row.row_key, row.properties, link.etag)
                written = self._table.update(conditional, UpdateMode.REPLACE)
        except ConcurrencyConflict as err:  # EntityAlreadyExists included
            raise LinkConflict(_conflict_message(link, err)) from err
        return replace(link, etag=written.etag)


def order_of(record_id: str) -> str:
    """The order id of a hub record id (`<order id>` or `<order id>/<line id>`)."""
    return record_id.split("/", 1)[0]


def order_partition(order_id: str) -> str:
    """PartitionKey of an order's links."""
    return bounded_key(escape_key(order_id))


def link_partition(record_id: str) -> str:
    """PartitionKey of a record's links: its order's."""
    return order_partition(order_of(record_id))


def link_row_key(map_name: str, record_id: str) -> str:
    """RowKey of the link of a record on a map."""
    return bounded_key(join_key(map_name, record_id))


def index_partition(map_name: str) -> str:
    """PartitionKey of a map's reverse index."""
    return bounded_key(join_key(INDEX_FAMILY, map_name))


def index_row_key(target_key: Mapping[str, FilterValue]) -> str:
    """RowKey of a target key: its fields sorted, values canonical, so equal keys meet."""
    parts = [text for name in sorted(target_key) for text in (name, canonical(target_key[name]))]
    return bounded_key(join_key(*parts))


def bounded_key(key: str) -> str:
    """The key, or a digest of it when it is longer than the service allows."""
    if key_length(key) <= MAX_KEY_CHARS:
        return key
    return HASHED_KEY_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def encode_fields(fields: Mapping[str, FilterValue]) -> str:
    """JSON of field values; Decimal, datetime and UUID tagged so they come back typed."""
    return json.dumps({name: _tagged(value) for name, value in fields.items()}, sort_keys=True)


def decode_fields(text: str) -> Fields:
    """The field values `encode_fields` wrote."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise TypeError("stored fields are not a JSON object")
    return {str(name): _untagged(value) for name, value in raw.items()}


def _tagged(value: FilterValue) -> object:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, UUID):
        return {"uuid": str(value)}
    return value


def _untagged(value: object) -> FilterValue:
    if isinstance(value, dict):
        [(tag, text)] = value.items()
        if tag == "decimal":
            return Decimal(text)
        if tag == "datetime":
            return datetime.fromisoformat(text)
        if tag == "uuid":
            return UUID(text)
        raise TypeError(f"unknown tag {tag!r} in stored fields")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"unexpected {type(value).__name__} in stored fields")


def _index_row(link: SyncLink) -> Entity:
    columns: dict[str, EntityValue] = {
        "MapName": link.map_name,
        "RecordId": link.record_id,
        "TargetKey": encode_fields(link.target_key),
    }
    return Entity(index_partition(link.map_name), index_row_key(link.target_key), columns)


def _link_row(link: SyncLink) -> Entity:
    columns: dict[str, EntityValue] = {
        "MapName": link.map_name,
        "RecordId": link.record_id,
        "TargetKey": encode_fields(link.target_key),
        **text_properties("SourceValues", json.dumps(link.source_values, sort_keys=True)),
        **text_properties("TargetValues", json.dumps(link.target_values, sort_keys=True)),
    }
    optional: dict[str, EntityValue | None] = {
        "TargetVersion": link.target_version,
        "Origin": link.origin,
        "SyncedAt": None if link.synced_at is None else as_utc(link.synced_at),
        "Error": None if link.error is None else cut_message(link.error),
    }
    columns.update({name: value for name, value in optional.items() if value is not None})
    partition = link_partition(link.record_id)
    return Entity(partition, link_row_key(link.map_name, link.record_id), columns)


def _link(row: Entity) -> SyncLink:
    props = row.properties
    synced_at = props.get("SyncedAt")
    return SyncLink(
        map_name=str(props["MapName"]),
        record_id=str(props["RecordId"]),
        target_key=decode_fields(str(props["TargetKey"])),
        target_version=_optional(props.get("TargetVersion")),
        source_values=_texts(joined_text("SourceValues", props)),
        target_values=_texts(joined_text("TargetValues", props)),
        origin=_optional(props.get("Origin")),
        synced_at=synced_at if isinstance(synced_at, datetime) else None,
        error=_optional(props.get("Error")),
        etag=row.etag,
    )


def _texts(text: str) -> dict[str, str]:
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise TypeError("stored values are not a JSON object")
    return {str(name): str(value) for name, value in raw.items()}


def _optional(value: EntityValue | None) -> str | None:
    return None if value is None else str(value)


def as_utc(at: datetime) -> datetime:
    """The instant; a naive time is taken as UTC, as everywhere in the hub."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def cut_message(text: str, limit: int = MAX_STRING_CHARS // 2) -> str:
    """The text, or its start marked as cut; half the limit leaves room for any character."""
    return text if len(text) <= limit else text[: limit - len(_CUT)] + _CUT


def _conflict_message(link: SyncLink, err: ConcurrencyConflict) -> str:
    what = "exists already" if isinstance(err, EntityAlreadyExists) else "changed since read"
    return f"link of {link.record_id!r} on map {link.map_name!r} {what}"
