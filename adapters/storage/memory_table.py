"""In-memory tables with Table Storage's semantics, for unit tests and the contract suite."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from adapters.storage.entities import (
    Delete,
    Entity,
    EntityValue,
    Insert,
    Operation,
    Page,
    StorageLimitExceeded,
    Update,
    UpdateMode,
    Upsert,
)
from adapters.storage.keys import validate_key
from adapters.storage.limits import (
    check_batch,
    check_entity,
    check_page_size,
    check_table_name,
    decode_continuation,
    encode_continuation,
    operation_key,
)
from adapters.storage.table import follow_pages, scan_position
from domain.filters import Filter, FilterSyntaxError, FilterValue, compile_filter
from services.errors import ConcurrencyConflict, EntityAlreadyExists, StorageUnavailable

Key = tuple[str, str]
# Shared by every table so that no two writes anywhere ever produce the same ETag.
_etags = itertools.count(1)


@dataclass(frozen=True)
class _Row:
    properties: dict[str, EntityValue]
    etag: str


class MemoryTable:
    """One table held in a dict; same checks, errors, ETags, batches and paging as AzureTable."""

    def __init__(self, name: str) -> None:
        self._name = check_table_name(name)
        self._rows: dict[Key, _Row] = {}
        self._exists = False
        self._requests = 0
        self._lock = threading.RLock()

    @property
    def name(self) -> str:
        """The table's name."""
        return self._name

    @property
    def request_count(self) -> int:
        """Storage requests this table has served (the same count AzureTable keeps)."""
        return self._requests

    @property
    def exists(self) -> bool:
        """Whether `create` has run."""
        return self._exists

    def create(self) -> None:
        """Create the table if it does not exist."""
        self._exists = True

    def get(self, partition_key: str, row_key: str) -> Entity | None:
        """Point read; None when absent."""
        validate_key(partition_key)
        validate_key(row_key)
        with self._request():
            row = self._rows.get((partition_key, row_key))
            return None if row is None else _entity(partition_key, row_key, row)

    def insert(self, entity: Entity) -> Entity:
        """Create the entity and return it with its ETag."""
        return self._write(Insert(check_entity(entity)))

    def update(self, entity: Entity, mode: UpdateMode = UpdateMode.MERGE) -> Entity:
        """Update (conditional on entity.etag when set) and return it with the new ETag."""
        return self._write(Update(check_entity(entity), mode))

    def upsert(self, entity: Entity, mode: UpdateMode = UpdateMode.MERGE) -> Entity:
        """Insert or update unconditionally; return it with the new ETag."""
        return self._write(Upsert(check_entity(entity), mode))

    def delete(self, partition_key: str, row_key: str, etag: str | None = None) -> None:
        """Delete (conditional on etag when set); deleting a missing entity is a no-op."""
        validate_key(partition_key)
        validate_key(row_key)
        with self._request():
            if (partition_key, row_key) in self._rows:
                _apply(self._rows, Delete(partition_key, row_key, etag))

    def submit(self, operations: Sequence[Operation]) -> list[str | None]:
        """Run an entity group transaction: all or nothing."""
        checked = check_batch(operations)
        if not checked:
            return []
        with self._request():
            staged = dict(self._rows)
            etags = [_apply_at(staged, index, op) for index, op in enumerate(checked)]
            self._rows = staged
            return etags

    def query_page(
        self,
        partition_key: str,
        *,
        row_key_from: str | None = None,
        row_key_before: str | None = None,
        page_size: int = 1000,
        continuation: str | None = None,
    ) -> Page:
        """One page of a partition's rows with row_key_from <= RowKey < row_key_before."""
        check_page_size(page_size)
        start = row_key_from
        if continuation is not None:
            start = decode_continuation(continuation).get("RowKey", start)
        with self._request():
            keys = sorted(
                rk
                for pk, rk in self._rows
                if pk == partition_key
                and (start is None or rk >= start)
                and (row_key_before is None or rk < row_key_before)
            )
            rows = [_entity(partition_key, rk, self._rows[partition_key, rk]) for rk in keys]
        following = keys[page_size] if len(keys) > page_size else None
        token = None if following is None else encode_continuation({"RowKey": following})
        return Page(rows[:page_size], token)

    def query(
        self,
        partition_key: str,
        *,
        row_key_from: str | None = None,
        row_key_before: str | None = None,
    ) -> Iterator[Entity]:
        """Every matching row, following continuation tokens."""
        return follow_pages(
            self, partition_key, row_key_from=row_key_from, row_key_before=row_key_before
        )

    def scan_page(
        self,
        filter_expression: str,
        *,
        page_size: int = 1000,
        continuation: str | None = None,
        select: Sequence[str] | None = None,
    ) -> Page:
        """One page of the rows of any partition matching an OData filter, in key order."""
        check_page_size(page_size)
        start: Key | None = None
        if continuation is not None:
            token = scan_position(continuation)
            start = (token["PartitionKey"], token.get("RowKey", ""))
        matcher = _compile(filter_expression)
        with self._request():
            found: list[Entity] = []
            for key in sorted(k for k in self._rows if start is None or k >= start):
                row = self._rows[key]
                if not matcher.matches(_record(key, row.properties)):
                    continue
                if len(found) == page_size:
                    following = {"PartitionKey": key[0], "RowKey": key[1]}
                    return Page(found, encode_continuation(following))
                found.append(_selected(_entity(*key, row), select))
        return Page(found, None)

    def _write(self, operation: Insert | Update | Upsert) -> Entity:
        with self._request():
            etag = _apply(self._rows, operation)
        return replace(operation.entity, etag=etag)

    @contextmanager
    def _request(self) -> Iterator[None]:
        """Hold the lock for one request, count it, and fail as the service does if no table."""
        with self._lock:
            self._requests += 1
            if not self._exists:
                raise StorageUnavailable(f"table {self._name} does not exist")
            yield


def _apply_at(rows: dict[Key, _Row], index: int, operation: Operation) -> str | None:
    try:
        return _apply(rows, operation)
    except ConcurrencyConflict as err:
        raise type(err)(f"transaction failed at operation {index}: {err}") from None


def _apply(rows: dict[Key, _Row], operation: Operation) -> str | None:
    """Apply one checked operation to `rows`; the new ETag (None for a delete)."""
    key = operation_key(operation)
    current = rows.get(key)
    if isinstance(operation, Insert) and current is not None:
        raise EntityAlreadyExists(f"EntityAlreadyExists: {key}")
    if isinstance(operation, Update | Delete):
        etag = operation.etag if isinstance(operation, Delete) else operation.entity.etag
        if current is None:
            raise ConcurrencyConflict(f"ResourceNotFound: {key}")
        if etag is not None and etag != current.etag:
            raise ConcurrencyConflict(f"UpdateConditionNotSatisfied: {key} changed since read")
    if isinstance(operation, Delete):
        del rows[key]
        return None
    merge = not isinstance(operation, Insert) and operation.mode is UpdateMode.MERGE
    base = current.properties if current is not None and merge else {}
    return _put(rows, key, {**base, **operation.entity.properties})


def _put(rows: dict[Key, _Row], key: Key, properties: dict[str, EntityValue]) -> str:
    etag = f'W/"memory-{next(_etags)}"'
    rows[key] = _Row(properties, etag)
    return etag


def _entity(partition_key: str, row_key: str, row: _Row) -> Entity:
    return Entity(partition_key, row_key, dict(row.properties), row.etag)


def _compile(filter_expression: str) -> Filter:
    """The parsed filter; a syntax error is refused as the service refuses it (400)."""
    try:
        return compile_filter(filter_expression)
    except FilterSyntaxError as err:
        raise StorageLimitExceeded(f"invalid filter: {err}") from err


def _record(key: Key, properties: Mapping[str, EntityValue]) -> dict[str, FilterValue]:
    """What a filter sees: the keys and every property (binary ones are not comparable)."""
    record: dict[str, FilterValue] = {
        name: value for name, value in properties.items() if not isinstance(value, bytes)
    }
    record["PartitionKey"], record["RowKey"] = key
    return record


def _selected(entity: Entity, select: Sequence[str] | None) -> Entity:
    if select is None:
        return entity
    wanted = {name: entity.properties[name] for name in select if name in entity.properties}
    return replace(entity, properties=wanted)


class MemoryTableService:
    """A storage account of MemoryTables, shaped like AzureTableService."""

    def __init__(self) -> None:
        self._tables: dict[str, MemoryTable] = {}
        self._lock = threading.Lock()

    def table(self, name: str) -> MemoryTable:
        """The table of that name (case-insensitive, as in the service); create it before use."""
        with self._lock:
            key = check_table_name(name).lower()
            if key not in self._tables:
                self._tables[key] = MemoryTable(name)
            return self._tables[key]

    def create_tables(self, names: Iterable[str]) -> None:
        """Create each table that does not exist yet."""
        for name in names:
            self.table(name).create()

    def probe(self, name: str) -> bool:
        """Whether the table answers (exists)."""
        return self.table(name).exists
