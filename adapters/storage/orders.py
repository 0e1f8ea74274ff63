"""The OrderRepository on Table Storage: one order per partition of the Orders table.

Every write is one entity group transaction (through the outbox, so its messages commit with it):
the header row (an Insert on add, an ETag-conditional Update on save, so the header's ETag locks
the whole order), the document's chunk rows that changed (Upserts) or are no longer needed
(Deletes), one Insert per raised event, and the outbox rows. The row layout and the size limits
are in `order_documents` and `services.orders.limits`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from adapters.storage.entities import (
    MAX_BATCH_OPERATIONS,
    Delete,
    Entity,
    Insert,
    Operation,
    Page,
    StorageLimitExceeded,
    Update,
    UpdateMode,
    Upsert,
)
from adapters.storage.limits import check_batch
from adapters.storage.order_documents import (
    EVENT_ROWS,
    HEADER_ROW,
    SUMMARY_COLUMNS,
    OrderHandle,
    OrderRows,
    chunk_row_key,
    event_entity,
    event_from,
    header_digests,
    order_partition,
    order_rows,
    order_summary,
    read_document,
)
from adapters.storage.outbox import TableOutbox
from adapters.storage.table import Table, scan_up_to
from domain.orders.model import RaisedEvent, SalesOrder
from services.errors import ConcurrencyConflict
from services.orders.limits import OrderTooLarge
from services.orders.ports import LoadedOrder, OrderPage, OrderQuery
from services.outbox import OutboxMessage, OutboxRecord

__all__ = ["ORDERS_TABLE", "OrderHandle", "OrderTooLarge", "TableOrderRepository"]

ORDERS_TABLE = "Orders"
# A reader that keeps finding chunk rows newer than the header it read gives up after this.
READ_ATTEMPTS = 3
# Requests one list() call may spend filling a page; the service may return short pages.
LIST_REQUESTS = 5


class TableOrderRepository:
    """Orders in one partition each: header, document chunks, timeline events, outbox rows."""

    def __init__(self, table: Table, outbox: TableOutbox) -> None:
        self._table = table
        self._outbox = outbox

    def get(self, order_id: str) -> LoadedOrder | None:
        """The order, or None; one point read, plus one per chunk row of a large order."""
        partition = order_partition(order_id)
        for _ in range(READ_ATTEMPTS):
            header = self._table.get(partition, HEADER_ROW)
            if header is None:
                return None
            count = len(header_digests(header))
            chunks = [self._table.get(partition, chunk_row_key(i)) for i in range(1, count + 1)]
            text = read_document(header, chunks)
            if text is not None and header.etag is not None:
                handle = OrderHandle(header.etag, header_digests(header))
                return LoadedOrder(SalesOrder.model_validate_json(text), handle)
        raise ConcurrencyConflict(f"order {order_id!r} kept changing while it was read")

    def add(self, order: SalesOrder, messages: Sequence[OutboxMessage]) -> list[OutboxRecord]:
        """Store a new order (EntityAlreadyExists if the id is taken), its events and messages."""
        rows = order_rows(order)
        operations: list[Operation] = [Insert(rows.header)]
        operations += [Upsert(chunk, UpdateMode.REPLACE) for chunk in rows.chunks]
        records, _ = self._commit(order, operations, messages)
        return [*records]

    def save(self, loaded: LoadedOrder, messages: Sequence[OutboxMessage]) -> list[OutboxRecord]:
        """Store the changed order if nobody saved it since it was loaded (else conflict)."""
        handle = loaded.handle
        if not isinstance(handle, OrderHandle):
            raise TypeError("save() takes an order loaded by this repository's get()")
        rows = order_rows(loaded.order)
        header = replace(rows.header, etag=handle.etag)
        operations: list[Operation] = [Update(header, UpdateMode.REPLACE)]
        operations += _chunk_changes(rows, handle)
        records, header_etag = self._commit(loaded.order, operations, messages)
        loaded.handle = OrderHandle(header_etag, rows.chunk_digests)
        return [*records]

    def timeline(self, order_id: str) -> list[RaisedEvent]:
        """Every business event raised on the order, in sequence order."""
        start, end = EVENT_ROWS
        rows = self._table.query(order_partition(order_id), row_key_from=start, row_key_before=end)
        return [event_from(row) for row in rows]

    def list(self, query: OrderQuery, continuation: str | None, limit: int) -> OrderPage:
        """Order headers matching the query, in order id order, at most `limit` per page.

        The continuation is the table's scan token; a forged one raises InvalidContinuation.
        """
        page = scan_up_to(
            self._table, order_filter(query), limit, continuation=continuation,
            select=SUMMARY_COLUMNS, max_requests=LIST_REQUESTS,
        )  # fmt: skip
        return OrderPage([order_summary(row) for row in page.entities], page.continuation)

    def _commit(
        self, order: SalesOrder, operations: Sequence[Operation], messages: Sequence[OutboxMessage]
    ) -> tuple[Sequence[OutboxRecord], str]:
        """Add the raised events, commit with the messages; return records and the header ETag."""
        partition = order_partition(order.order_id)
        events = [Insert(event_entity(partition, event)) for event in order.raised]
        operations = [*operations, *events]
        _check_fits(operations, messages)
        capture = _EtagCapture(self._table)
        records = self._outbox.stage(capture, partition, operations, messages)
        order.clear_raised()
        return records, capture.first_etag()


def _chunk_changes(rows: OrderRows, handle: OrderHandle) -> list[Operation]:
    """Upserts of chunk rows whose content changed and deletes of rows no longer needed."""
    old, new = handle.chunk_digests, rows.chunk_digests
    changes: list[Operation] = [
        Upsert(chunk, UpdateMode.REPLACE)
        for index, chunk in enumerate(rows.chunks)
        if index >= len(old) or old[index] != new[index]
    ]
    partition = rows.header.partition_key
    changes += [Delete(partition, chunk_row_key(i)) for i in range(len(new) + 1, len(old) + 1)]
    return changes


def _check_fits(operations: list[Operation], messages: Sequence[OutboxMessage]) -> None:
    """Refuse a transaction the service would refuse, before the outbox writes its index rows."""
    if len(operations) + len(messages) > MAX_BATCH_OPERATIONS:
        raise StorageLimitExceeded(
            f"{len(operations)} rows and {len(messages)} messages in one save; "
            f"a transaction holds at most {MAX_BATCH_OPERATIONS}"
        )
    check_batch(operations)


def order_filter(query: OrderQuery) -> str:
    """The OData filter of a list query, over columns every header row has."""
    clauses = ["Kind eq 'order'"]
    if query.state is not None:
        clauses.append(f"State eq {_quoted(query.state.value)}")
    if query.reason is not None:
        clauses.append(f"Reason eq {_quoted(query.reason)}")
    if query.channel is not None:
        clauses.append(f"Channel eq {_quoted(query.channel)}")
    if query.created_from is not None:
        clauses.append(f"CreatedAt ge {_datetime_literal(query.created_from)}")
    if query.created_to is not None:
        clauses.append(f"CreatedAt le {_datetime_literal(query.created_to)}")
    return " and ".join(clauses)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _datetime_literal(moment: datetime) -> str:
    """A UTC instant literal; a naive datetime is taken as UTC, as the filter language does."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"datetime'{utc.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z'"


class _EtagCapture:
    """The order table, remembering the ETags of its last transaction.

    The outbox commits our operations (header first) plus its rows and keeps the ETags to
    itself; save() needs the header's new ETag to refresh the handle without a racy re-read.
    """

    def __init__(self, table: Table) -> None:
        self._table = table
        self._etags: list[str | None] = []

    def first_etag(self) -> str:
        """The new ETag of the transaction's first operation (the header)."""
        if not self._etags or self._etags[0] is None:
            raise RuntimeError("no transaction committed through this table")
        return self._etags[0]

    @property
    def name(self) -> str:
        """The table's name."""
        return self._table.name

    def create(self) -> None:
        """Create the table if it does not exist."""
        self._table.create()

    def get(self, partition_key: str, row_key: str) -> Entity | None:
        """Point read; None when absent."""
        return self._table.get(partition_key, row_key)

    def insert(self, entity: Entity) -> Entity:
        """Create the entity and return it with its ETag."""
        return self._table.insert(entity)

    def update(self, entity: Entity, mode: UpdateMode = UpdateMode.MERGE) -> Entity:
        """Update (conditional on entity.etag when set)."""
        return self._table.update(entity, mode)

    def upsert(self, entity: Entity, mode: UpdateMode = UpdateMode.MERGE) -> Entity:
        """Insert or update unconditionally."""
        return self._table.upsert(entity, mode)

    def delete(self, partition_key: str, row_key: str, etag: str | None = None) -> None:
        """Delete (conditional on etag when set)."""
        self._table.delete(partition_key, row_key, etag)

    def submit(self, operations: Sequence[Operation]) -> list[str | None]:
        """Run the transaction and keep its ETags."""
        self._etags = self._table.submit(operations)
        return self._etags

    def query_page(
        self,
        partition_key: str,
        *,
        row_key_from: str | None = None,
        row_key_before: str | None = None,
        page_size: int = 1000,
        continuation: str | None = None,
    ) -> Page:
        """One page of a partition's rows."""
        return self._table.query_page(
            partition_key, row_key_from=row_key_from, row_key_before=row_key_before,
            page_size=page_size, continuation=continuation,
        )  # fmt: skip

    def query(
        self,
        partition_key: str,
        *,
        row_key_from: str | None = None,
        row_key_before: str | None = None,
    ) -> Iterator[Entity]:
        """Every matching row of a partition."""
        return self._table.query(
            partition_key, row_key_from=row_key_from, row_key_before=row_key_before
        )

    def scan_page(
        self,
        filter_expression: str,
        *,
        page_size: int = 1000,
        continuation: str | None = None,
        select: Sequence[str] | None = None,
    ) -> Page:
        """One page of the rows of any partition matching a filter."""
        return self._table.scan_page(
            filter_expression, page_size=page_size, continuation=continuation, select=select
        )
