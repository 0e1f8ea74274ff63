"""The Table port on Azure Table Storage (azure-data-tables); SDK errors never leave this module."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import (
    EdmType,
    EntityProperty,
    TableClient,
    TableEntity,
    TableServiceClient,
)
from azure.data.tables import UpdateMode as SdkUpdateMode

from adapters.storage.azure_errors import error_code, table_errors
from adapters.storage.entities import (
    Delete,
    Entity,
    EntityValue,
    Insert,
    Operation,
    Page,
    Update,
    UpdateMode,
)
from adapters.storage.keys import validate_key
from adapters.storage.limits import (
    check_batch,
    check_entity,
    check_page_size,
    check_table_name,
    decode_continuation,
    encode_continuation,
    normalise_value,
)
from adapters.storage.table import follow_pages, scan_position

# SDK operation tuples: (verb, entity) or (verb, entity, keyword arguments).
SdkOperation = tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], dict[str, Any]]


class AzureTable:
    """One Table Storage table behind the Table port; counts each REST call it makes."""

    def __init__(self, client: TableClient) -> None:
        self._client = client
        self._requests = 0
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The table's name."""
        return self._client.table_name

    @property
    def request_count(self) -> int:
        """REST calls so far: one per get, write, transaction and query page."""
        return self._requests

    def create(self) -> None:
        """Create the table if it does not exist."""
        with table_errors(f"create table {self.name}"), suppress(ResourceExistsError):
            self._client.create_table()

    def get(self, partition_key: str, row_key: str) -> Entity | None:
        """Point read; None when absent."""
        validate_key(partition_key)
        validate_key(row_key)
        with self._call(f"get {partition_key}/{row_key}"):
            try:
                found = self._client.get_entity(partition_key, row_key)
            except ResourceNotFoundError as err:
                if error_code(err) == "TableNotFound":
                    raise
                return None
        return _from_sdk(found)

    def insert(self, entity: Entity) -> Entity:
        """Create the entity and return it with its ETag."""
        checked = check_entity(entity)
        with self._call(f"insert {_where(checked)}"):
            metadata = self._client.create_entity(_to_sdk(checked))
        return _with_etag(checked, metadata)

    def update(self, entity: Entity, mode: UpdateMode = UpdateMode.MERGE) -> Entity:
        """Update (conditional on entity.etag when set) and return it with the new ETag."""
        checked = check_entity(entity)
        with self._call(f"update {_where(checked)}"):
            metadata = self._client.update_entity(
                _to_sdk(checked), mode=_sdk_mode(mode), **_condition(checked.etag)
            )
        return _with_etag(checked, metadata)

    def upsert(self, entity: Entity, mode: UpdateMode = UpdateMode.MERGE) -> Entity:
        """Insert or update unconditionally; return it with the new ETag."""
        checked = check_entity(entity)
        with self._call(f"upsert {_where(checked)}"):
            metadata = self._client.upsert_entity(_to_sdk(checked), mode=_sdk_mode(mode))
        return _with_etag(checked, metadata)

    def delete(self, partition_key: str, row_key: str, etag: str | None = None) -> None:
        """Delete (conditional on etag when set); deleting a missing entity is a no-op."""
        validate_key(partition_key)
        validate_key(row_key)
        # The SDK itself swallows the 404 of a missing entity, which is the no-op we promise.
        with self._call(f"delete {partition_key}/{row_key}"):
            self._client.delete_entity(partition_key, row_key, **_condition(etag))

    def submit(self, operations: Sequence[Operation]) -> list[str | None]:
        """Run an entity group transaction: all or nothing."""
        checked = check_batch(operations)
        if not checked:
            return []
        with self._call(f"transaction on {self.name}"):
            results = self._client.submit_transaction([_sdk_operation(op) for op in checked])
        return [
            None if isinstance(op, Delete) else result.get("etag")
            for op, result in zip(checked, results, strict=True)
        ]

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
        token = None if continuation is None else decode_continuation(continuation)
        query_filter, parameters = _range_filter(partition_key, row_key_from, row_key_before)
        with self._call(f"query {self.name}/{partition_key}"):
            pages = self._client.query_entities(
                query_filter, parameters=parameters, results_per_page=page_size
            ).by_page(continuation_token=token)  # type: ignore[arg-type]  # it wants its dict
            entities = [_from_sdk(found) for found in next(pages)]
        following = pages.continuation_token  # type: ignore[attr-defined]
        return Page(entities, None if not following else encode_continuation(following))

    def query(
        self,
        partition_key: str,
        *,
        row_key_from: str | None = None,
        row_key_before: str | None = None,
    ) -> Iterator[Entity]:
        """Every matching row, following continuation tokens (a page may be empty)."""
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
        token = None if continuation is None else scan_position(continuation)
        # The keys are always fetched: an Entity cannot be built without them.
        columns = None if select is None else ["PartitionKey", "RowKey", *select]
        with self._call(f"scan {self.name}"):
            pages = self._client.query_entities(
                filter_expression, select=columns, results_per_page=page_size
            ).by_page(continuation_token=token)  # type: ignore[arg-type]  # it wants its dict
            entities = [_from_sdk(found) for found in next(pages)]
        following = pages.continuation_token  # type: ignore[attr-defined]
        return Page(entities, _scan_token(following))

    def probe(self, timeout: float = 2.0) -> bool:
        """Whether the table answers one small query within `timeout` seconds, without retries."""
        limits = {"connection_timeout": timeout, "read_timeout": timeout, "retry_total": 0}
        try:
            pages = self._client.list_entities(
                results_per_page=1, select=["PartitionKey"], **limits
            )
            next(pages.by_page(), None)
        except AzureError:
            return False
        return True

    @contextmanager
    def _call(self, action: str) -> Iterator[None]:
        with self._lock:
            self._requests += 1
        with table_errors(action):
            yield


class AzureTableService:
    """A storage account's Table endpoint: caches one AzureTable per table name."""

    def __init__(self, client: TableServiceClient) -> None:
        self._client = client
        self._tables: dict[str, AzureTable] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_connection_string(cls, connection_string: str) -> AzureTableService:
        """Connect with an account connection string (Azurite or Azure)."""
        return cls(TableServiceClient.from_connection_string(connection_string))

    def table(self, name: str) -> AzureTable:
        """The table of that name; its client is created once and shared by threads."""
        key = check_table_name(name).lower()
        with self._lock:
            if key not in self._tables:
                self._tables[key] = AzureTable(self._client.get_table_client(name))
            return self._tables[key]

    def create_tables(self, names: Iterable[str]) -> None:
        """Create each table that does not exist yet."""
        for name in names:
            self.table(name).create()

    def probe(self, name: str, timeout: float = 2.0) -> bool:
        """Whether the table answers within `timeout` seconds."""
        return self.table(name).probe(timeout)

    def close(self) -> None:
        """Close the connections."""
        self._client.close()


def _to_sdk(entity: Entity) -> dict[str, Any]:
    """Every int goes as Int64 so its type never depends on its size."""
    sdk: dict[str, Any] = {"PartitionKey": entity.partition_key, "RowKey": entity.row_key}
    for name, value in entity.properties.items():
        is_int = isinstance(value, int) and not isinstance(value, bool)
        sdk[name] = EntityProperty(value, EdmType.INT64) if is_int else value
    return sdk


def _from_sdk(found: TableEntity) -> Entity:
    properties: dict[str, EntityValue] = {}
    for name, value in found.items():
        # A selected property the row lacks comes back as null: the row does not have it.
        if name not in ("PartitionKey", "RowKey") and value is not None:
            plain = value.value if isinstance(value, EntityProperty) else value
            properties[name] = normalise_value(name, plain)
    etag = found.metadata.get("etag")
    return Entity(found["PartitionKey"], found["RowKey"], properties, etag)


def _scan_token(following: Mapping[str, str | None] | None) -> str | None:
    """The opaque token for the next page; the service may omit NextRowKey."""
    parts = {name: value for name, value in (following or {}).items() if value}
    return encode_continuation(parts) if parts else None


def _with_etag(entity: Entity, metadata: Mapping[str, Any]) -> Entity:
    return Entity(entity.partition_key, entity.row_key, entity.properties, metadata.get("etag"))


def _where(entity: Entity) -> str:
    return f"{entity.partition_key}/{entity.row_key}"


def _sdk_mode(mode: UpdateMode) -> SdkUpdateMode:
    return SdkUpdateMode.MERGE if mode is UpdateMode.MERGE else SdkUpdateMode.REPLACE


def _condition(etag: str | None) -> dict[str, Any]:
    if etag is None:
        return {"match_condition": MatchConditions.Unconditionally}
    return {"etag": etag, "match_condition": MatchConditions.IfNotModified}


def _sdk_operation(operation: Operation) -> SdkOperation:
    if isinstance(operation, Delete):
        keys = {"PartitionKey": operation.partition_key, "RowKey": operation.row_key}
        return ("delete", keys, _condition(operation.etag))
    sdk = _to_sdk(operation.entity)
    if isinstance(operation, Insert):
        return ("create", sdk)
    if isinstance(operation, Update):
        mode = _sdk_mode(operation.mode)
        return ("update", sdk, {"mode": mode, **_condition(operation.entity.etag)})
    return ("upsert", sdk, {"mode": _sdk_mode(operation.mode)})


def _range_filter(
    partition_key: str, row_key_from: str | None, row_key_before: str | None
) -> tuple[str, dict[str, str]]:
    """An OData filter with @parameters, each its own space-separated word (the SDK needs it)."""
    clauses, parameters = ["PartitionKey eq @pk"], {"pk": partition_key}
    if row_key_from is not None:
        clauses.append("RowKey ge @from")
        parameters["from"] = row_key_from
    if row_key_before is not None:
        clauses.append("RowKey lt @before")
        parameters["before"] = row_key_before
    return " and ".join(clauses), parameters
