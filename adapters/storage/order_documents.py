"""How one order is laid out in its partition of the Orders table.

Rows of the partition (PartitionKey = the escaped order id):
- `order`: the header. Summary columns the operator list filters on (Kind, OrderId, Channel,
  ExternalOrderId, State, Reason, CreatedAt, UpdatedAt, LineCount, Currency), the document's
  bookkeeping (ChunkCount, ChunkDigests, DocChars) and the first pieces of the document.
- `doc|01`, `doc|02`, ...: the rest of the document when it does not fit the header.
- `event|00000001`, ...: one row per timeline event (Event, At, Json).
- `outbox|<message id>`: outbox rows (see adapters.storage.outbox).

The document is `SalesOrder.model_dump_json(by_alias=True)`, cut into pieces of at most 32,000
UTF-16 units (the service's string limit), stored as properties `D00`, `D01`, ... numbered across
the whole document and packed greedily into the header, then into chunk rows, each row kept under
ENTITY_BUDGET bytes as `entity_size` counts them. The header records a digest of every chunk row,
so a reader detects a chunk written after the header it read, and a save rewrites only the chunk
rows whose digest changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from adapters.storage.entities import Entity, EntityValue
from adapters.storage.keys import escape_key, join_key, key_length, prefix_range
from adapters.storage.limits import entity_size
from adapters.storage.table import joined_text, split_text, text_properties
from domain.orders.model import RaisedEvent, SalesOrder
from services.orders.limits import MAX_ORDER_DOCUMENT_CHARS, MAX_ORDER_LINES, OrderTooLarge
from services.orders.ports import OrderSummary

HEADER_ROW = "order"
EVENT_ROWS = prefix_range("event")
PIECE_UNITS = 32_000
# 48 KiB below the 1 MiB entity limit: room for the bookkeeping added after packing and for keys.
ENTITY_BUDGET = 1_000_000
# The document's share of a 4 MiB transaction; the rest is for events, outbox rows and framing.
# Pure-ASCII JSON never exceeds it within MAX_ORDER_DOCUMENT_CHARS (at most 2 bytes a character).
MAX_DOCUMENT_WIRE_BYTES = 3 * 1024 * 1024
SUMMARY_COLUMNS = (
    "OrderId", "Channel", "ExternalOrderId", "State", "Reason", "CreatedAt", "UpdatedAt",
    "LineCount", "Currency",
)  # fmt: skip
_PIECE_NAME = re.compile(r"D(\d{2})")


@dataclass(frozen=True)
class OrderHandle:
    """What a save needs from the load: the header's ETag (the order's lock) and chunk digests."""

    etag: str
    chunk_digests: tuple[str, ...]


@dataclass(frozen=True)
class OrderRows:
    """The header and chunk rows that store one version of an order's document."""

    header: Entity
    chunks: list[Entity]
    chunk_digests: tuple[str, ...]


def order_partition(order_id: str) -> str:
    """PartitionKey of an order."""
    return escape_key(order_id)


def chunk_row_key(index: int) -> str:
    """RowKey of the index-th chunk row (1-based; the header holds the document's start)."""
    return join_key("doc", f"{index:02d}")


def event_row_key(sequence: int) -> str:
    """RowKey of a timeline event; zero-padding makes key order the sequence order."""
    return join_key("event", f"{sequence:08d}")


def order_rows(order: SalesOrder) -> OrderRows:
    """The rows of the order's document, or OrderTooLarge if it would not fit a transaction."""
    if len(order.lines) > MAX_ORDER_LINES:
        raise OrderTooLarge(f"{len(order.lines)} lines; an order holds at most {MAX_ORDER_LINES}")
    text = order.model_dump_json(by_alias=True)
    if len(text) > MAX_ORDER_DOCUMENT_CHARS:
        raise OrderTooLarge(
            f"the order is {len(text)} characters of JSON; at most {MAX_ORDER_DOCUMENT_CHARS}"
        )
    pieces = split_text(text, PIECE_UNITS)
    if sum(len(json.dumps(piece)) for piece in pieces) > MAX_DOCUMENT_WIRE_BYTES:
        raise OrderTooLarge("the order's text is too large to store once escaped")
    partition = order_partition(order.order_id)
    named = [(f"D{index:02d}", piece) for index, piece in enumerate(pieces)]
    header_pieces, rest = _fill(Entity(partition, HEADER_ROW, _summary(order, len(text))), named)
    chunks: list[Entity] = []
    while rest:
        row = Entity(partition, chunk_row_key(len(chunks) + 1), {"Kind": "doc"})
        row, rest = _fill(row, rest)
        chunks.append(row)
    digests = tuple(row_digest(chunk.properties) for chunk in chunks)
    bookkeeping: dict[str, EntityValue] = {
        "ChunkCount": len(chunks),
        "ChunkDigests": ",".join(digests),
    }
    header = Entity(partition, HEADER_ROW, {**header_pieces.properties, **bookkeeping})
    return OrderRows(header, chunks, digests)


def _fill(row: Entity, pieces: list[tuple[str, str]]) -> tuple[Entity, list[tuple[str, str]]]:
    """Add pieces to the row while it stays within ENTITY_BUDGET; return it and the rest."""
    properties: dict[str, EntityValue] = dict(row.properties)
    size = entity_size(row)
    taken = 0
    for name, piece in pieces:
        cost = 8 + 2 * len(name) + 4 + 2 * key_length(piece)
        if size + cost > ENTITY_BUDGET:
            break
        properties[name] = piece
        size += cost
        taken += 1
    if taken == 0 and pieces:
        # Unreachable with these limits (a piece is at most 64 KB of the budget); without this
        # guard a row that took nothing would make the caller loop forever.
        raise OrderTooLarge("the order's header properties leave no room for its document")
    return Entity(row.partition_key, row.row_key, properties), pieces[taken:]


def _summary(order: SalesOrder, chars: int) -> dict[str, EntityValue]:
    return {
        "Kind": "order",
        "OrderId": order.order_id,
        "Channel": order.channel,
        "ExternalOrderId": order.external_order_id,
        "State": order.state.value,
        "Reason": order.reason,
        "CreatedAt": order.created_at,
        "UpdatedAt": order.updated_at,
        "LineCount": len(order.lines),
        "Currency": order.currency,
        "DocChars": chars,
    }


def row_digest(properties: Mapping[str, EntityValue]) -> str:
    """SHA-256 of a row's document pieces (names and text), independent of other properties."""
    digest = hashlib.sha256()
    for name, piece in _pieces(properties):
        digest.update(f"{name}\0".encode())
        digest.update(piece.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def header_digests(header: Entity) -> tuple[str, ...]:
    """The chunk digests the header recorded, one per chunk row."""
    count = _integer(header.properties.get("ChunkCount", 0))
    digests = str(header.properties.get("ChunkDigests", ""))
    return tuple(digests.split(",")) if count else ()


def read_document(header: Entity, chunks: Sequence[Entity | None]) -> str | None:
    """The document text, or None when a chunk row does not match what the header recorded."""
    expected = header_digests(header)
    if len(chunks) != len(expected):
        return None
    pieces = _pieces(header.properties)
    for chunk, digest in zip(chunks, expected, strict=True):
        if chunk is None or row_digest(chunk.properties) != digest:
            return None
        pieces.extend(_pieces(chunk.properties))
    text = "".join(piece for _, piece in sorted(pieces, key=lambda p: int(p[0][1:])))
    return text if len(text) == header.properties.get("DocChars") else None


def _pieces(properties: Mapping[str, EntityValue]) -> list[tuple[str, str]]:
    return sorted(
        (name, str(value)) for name, value in properties.items() if _PIECE_NAME.fullmatch(name)
    )


def event_entity(partition: str, event: RaisedEvent) -> Entity:
    """A timeline event's row; JSON over the string limit continues in Json01, Json02, ..."""
    properties: dict[str, EntityValue] = {"Kind": "event", "Event": event.event, "At": event.at}
    properties.update(text_properties("Json", event.model_dump_json(by_alias=True)))
    return Entity(partition, event_row_key(event.sequence), properties)


def event_from(row: Entity) -> RaisedEvent:
    """The event a timeline row holds."""
    return RaisedEvent.model_validate_json(joined_text("Json", row.properties))


def order_summary(row: Entity) -> OrderSummary:
    """The operator list's row for an order header."""
    props = row.properties
    return OrderSummary(
        order_id=str(props["OrderId"]),
        channel=str(props["Channel"]),
        external_order_id=str(props["ExternalOrderId"]),
        state=str(props["State"]),
        reason=str(props["Reason"]),
        created_at=_moment(props["CreatedAt"]),
        updated_at=_moment(props["UpdatedAt"]),
        line_count=_integer(props["LineCount"]),
        currency=str(props["Currency"]),
    )


def _integer(value: EntityValue) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _moment(value: EntityValue) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    return value
