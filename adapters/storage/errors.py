"""The ErrorLog on Table Storage: operators' error lists, newest first.

Layout of the OperationErrors table. Each error is written to up to three listing partitions,
all with RowKey = `<inverted timestamp>|<escaped error id>`, so ascending key order is newest
first and a page is one range read of one partition, never a scan of the table:
- `all`: every error (the unfiltered list);
- `kind|<kind>`: errors of one kind (the list filtered by kind);
- `order|<order id>`: errors of one order (filtered by order, and by kind within it).
Partition `ids`, RowKey = escaped error id, remembers when an error was last recorded: retries
of the same error id at a later time move it (old listing rows deleted) instead of duplicating.
A message is cut to 16,384 characters (within the 32K string limit even beyond the BMP) and the
details' JSON (ASCII) to the string limit, so recording an error never fails on its size.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from adapters.storage.entities import MAX_STRING_CHARS, Entity, EntityValue, UpdateMode
from adapters.storage.keys import escape_key, join_key
from adapters.storage.table import Table, scan_up_to
from services.orders.ports import ErrorKind, ErrorPage, OperationError

ERRORS_TABLE = "OperationErrors"
ALL_PARTITION = "all"
IDS_PARTITION = "ids"
# Microseconds from 1970 to year 10000: the inverted stamp stays positive and 18 digits long.
_END_OF_TIME = 253_402_300_800 * 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CUT = " [cut]"


class TableErrorLog:
    """Errors in listing partitions (all, by kind, by order) keyed newest first."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def record(self, error: OperationError) -> None:
        """Store the error; recording the same error id again replaces it (idempotent)."""
        row_key = listing_row_key(error.at, error.error_id)
        rows = {
            (partition, row_key) for partition in listing_partitions(error.kind, error.order_id)
        }
        index_key = escape_key(error.error_id)
        previous = self._table.get(IDS_PARTITION, index_key)
        # Listing rows of an earlier recording that this one does not overwrite (it moved in
        # time, kind or order) go first, so a crash leaves at worst a missing, never a duplicate.
        for partition, key in _listing_rows(previous) - rows:
            self._table.delete(partition, key)
        columns = _columns(error)
        for partition, key in sorted(rows):
            self._table.upsert(Entity(partition, key, columns), UpdateMode.REPLACE)
        index = {**columns, "ListingKey": row_key}
        self._table.upsert(Entity(IDS_PARTITION, index_key, index), UpdateMode.REPLACE)

    def list(
        self, kind: ErrorKind | None, order_id: str | None, continuation: str | None, limit: int
    ) -> ErrorPage:
        """Errors, newest first, optionally of one kind or one order; a page at a time.

        A forged continuation raises InvalidContinuation.
        """
        if order_id is not None:
            partition = join_key("order", order_id)
        elif kind is not None:
            partition = join_key("kind", kind.value)
        else:
            partition = ALL_PARTITION
        clauses = [f"PartitionKey eq {_quoted(partition)}"]
        if kind is not None and order_id is not None:
            clauses.append(f"Kind eq {_quoted(kind.value)}")  # one order's errors are few
        page = scan_up_to(self._table, " and ".join(clauses), limit, continuation=continuation)
        return ErrorPage([_error(row) for row in page.entities], page.continuation)


def listing_partitions(kind: ErrorKind, order_id: str | None) -> list[str]:
    """The partitions an error is listed in."""
    partitions = [ALL_PARTITION, join_key("kind", kind.value)]
    if order_id is not None:
        partitions.append(join_key("order", order_id))
    return partitions


def listing_row_key(at: datetime, error_id: str) -> str:
    """RowKey sorting newer errors first, ties by error id."""
    micros = (_utc(at) - _EPOCH) // timedelta(microseconds=1)
    return join_key(f"{_END_OF_TIME - micros:018d}", error_id)


def _listing_rows(index: Entity | None) -> set[tuple[str, str]]:
    """The listing rows an `ids` row says the error was last written to."""
    if index is None:
        return set()
    recorded = _error(index)
    key = str(index.properties["ListingKey"])
    return {(p, key) for p in listing_partitions(recorded.kind, recorded.order_id)}


def _utc(at: datetime) -> datetime:
    """The instant; a naive time is taken as UTC, as everywhere in the hub."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _columns(error: OperationError) -> dict[str, EntityValue]:
    optional = {
        "OrderId": error.order_id,
        "FlowId": error.flow_id,
        "StepId": error.step_id,
        "PolicyId": error.policy_id,
        "Attempt": error.attempt,
    }
    columns: dict[str, EntityValue] = {
        "ErrorId": error.error_id,
        "Kind": error.kind.value,
        "At": _utc(error.at),
        "Message": _cut(error.message),
        "Details": _details_json(error.details),
    }
    columns.update({name: value for name, value in optional.items() if value is not None})
    return columns


def _cut(text: str, limit: int = MAX_STRING_CHARS // 2) -> str:
    """The text, or its start marked as cut; half the limit leaves room for any character."""
    return text if len(text) <= limit else text[: limit - len(_CUT)] + _CUT


def _details_json(details: dict[str, str]) -> str:
    """Details as JSON within the string limit: values cut, then entries dropped from the end."""
    kept: dict[str, str] = {}
    for name, value in details.items():
        candidate = {**kept, _cut(name, 200): _cut(value, 2000)}
        if len(json.dumps(candidate)) > MAX_STRING_CHARS:
            break
        kept = candidate
    return json.dumps(kept)


def _error(row: Entity) -> OperationError:
    props = row.properties
    attempt = props.get("Attempt")
    at = props["At"]
    if not isinstance(at, datetime):
        raise TypeError(f"error row {row.row_key!r} has no time")
    return OperationError(
        error_id=str(props["ErrorId"]),
        kind=ErrorKind(str(props["Kind"])),
        at=at,
        message=str(props["Message"]),
        order_id=_optional(props.get("OrderId")),
        flow_id=_optional(props.get("FlowId")),
        step_id=_optional(props.get("StepId")),
        policy_id=_optional(props.get("PolicyId")),
        attempt=attempt if isinstance(attempt, int) and not isinstance(attempt, bool) else None,
        details=json.loads(str(props["Details"])),
    )


def _optional(value: EntityValue | None) -> str | None:
    return None if value is None else str(value)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
