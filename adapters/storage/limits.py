"""Checks every entity, batch and query passes before a table (real or fake) sees it.

Also the opaque continuation-token format both tables hand out.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from uuid import UUID

from adapters.storage.entities import (
    INT64_MAX,
    INT64_MIN,
    MAX_BATCH_OPERATIONS,
    MAX_BINARY_BYTES,
    MAX_PROPERTIES,
    MAX_STRING_CHARS,
    Delete,
    Entity,
    EntityValue,
    Insert,
    Operation,
    StorageLimitExceeded,
    Update,
    Upsert,
)
from adapters.storage.keys import key_length, validate_key

MAX_ENTITY_BYTES = 1024 * 1024
MAX_BATCH_BYTES = 4 * 1024 * 1024
MIN_DATETIME = datetime(1601, 1, 1, tzinfo=UTC)
MAX_PAGE_SIZE = 1000
_TABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{2,62}")
# Property names follow C# identifier rules; ASCII keeps them safe in URLs and JSON alike.
_PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")
_RESERVED = frozenset({"PartitionKey", "RowKey", "Timestamp"})
# Per-operation framing in a $batch body (multipart headers, URL, annotations), generously rounded.
_BATCH_OP_OVERHEAD = 1024


def normalise_value(name: str, value: object) -> EntityValue:
    """The plain Python value the table stores for `value`, or StorageLimitExceeded."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise StorageLimitExceeded(f"property {name!r}: {value} does not fit in Int64")
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        if key_length(value) > MAX_STRING_CHARS:
            raise StorageLimitExceeded(f"property {name!r}: over {MAX_STRING_CHARS} characters")
        return str.__str__(value)
    if isinstance(value, bytes):
        if len(value) > MAX_BINARY_BYTES:
            raise StorageLimitExceeded(f"property {name!r}: over {MAX_BINARY_BYTES} bytes")
        return bytes(value)
    if isinstance(value, datetime):
        return _utc(name, value)
    if isinstance(value, UUID):
        return UUID(int=value.int)
    raise StorageLimitExceeded(f"property {name!r}: {type(value).__name__} cannot be stored")


def _utc(name: str, value: datetime) -> datetime:
    if value.tzinfo is None:
        raise StorageLimitExceeded(f"property {name!r}: datetime must be timezone-aware")
    # A plain datetime, never a subclass such as the SDK's TablesEntityDatetime.
    utc = value.astimezone(UTC)
    plain = datetime(*utc.timetuple()[:6], utc.microsecond, tzinfo=UTC)
    if plain < MIN_DATETIME:
        raise StorageLimitExceeded(f"property {name!r}: datetimes start at 1601-01-01")
    return plain


def check_properties(properties: Mapping[str, object]) -> dict[str, EntityValue]:
    """Validated, normalised copy of an entity's custom properties."""
    if len(properties) > MAX_PROPERTIES:
        raise StorageLimitExceeded(f"{len(properties)} properties; at most {MAX_PROPERTIES}")
    checked: dict[str, EntityValue] = {}
    for name, value in properties.items():
        if not isinstance(name, str) or not _PROPERTY_NAME.fullmatch(name) or name in _RESERVED:
            raise StorageLimitExceeded(f"invalid property name {name!r}")
        checked[name] = normalise_value(name, value)
    return checked


def check_entity(entity: Entity) -> Entity:
    """The entity with validated keys and normalised properties, or StorageLimitExceeded."""
    validate_key(entity.partition_key)
    validate_key(entity.row_key)
    checked = Entity(
        entity.partition_key, entity.row_key, check_properties(entity.properties), entity.etag
    )
    if entity_size(checked) > MAX_ENTITY_BYTES:
        raise StorageLimitExceeded(f"entity {entity.row_key!r} is over {MAX_ENTITY_BYTES} bytes")
    return checked


def entity_size(entity: Entity) -> int:
    """Size as the service documents it: 4 + keys in UTF-16 + (8 + name + value) per property."""
    keys = key_length(entity.partition_key) + key_length(entity.row_key)
    props = sum(8 + 2 * len(n) + _value_size(v) for n, v in entity.properties.items())
    return 4 + 2 * keys + props


def _value_size(value: EntityValue) -> int:
    if isinstance(value, str):
        return 4 + 2 * key_length(value)
    if isinstance(value, bytes):
        return 4 + len(value)
    if isinstance(value, bool):
        return 1
    return 16 if isinstance(value, UUID) else 8


def check_operation(operation: Operation) -> Operation:
    """The operation with its entity checked and normalised."""
    if isinstance(operation, Delete):
        validate_key(operation.partition_key)
        validate_key(operation.row_key)
        return operation
    if isinstance(operation, Insert):
        return Insert(check_entity(operation.entity))
    if isinstance(operation, Update):
        return Update(check_entity(operation.entity), operation.mode)
    return Upsert(check_entity(operation.entity), operation.mode)


def check_batch(operations: Sequence[Operation]) -> list[Operation]:
    """Checked operations of one entity group transaction, or StorageLimitExceeded."""
    if len(operations) > MAX_BATCH_OPERATIONS:
        raise StorageLimitExceeded(f"{len(operations)} operations; at most {MAX_BATCH_OPERATIONS}")
    checked = [check_operation(op) for op in operations]
    keys = [operation_key(op) for op in checked]
    if len({pk for pk, _ in keys}) > 1:
        raise StorageLimitExceeded("a transaction must stay within one partition")
    if len(set(keys)) != len(keys):
        raise StorageLimitExceeded("a transaction may touch each entity only once")
    if sum(_wire_size(op) for op in checked) > MAX_BATCH_BYTES:
        raise StorageLimitExceeded(f"transaction payload is over {MAX_BATCH_BYTES} bytes")
    return checked


def operation_key(operation: Operation) -> tuple[str, str]:
    """(PartitionKey, RowKey) an operation touches."""
    if isinstance(operation, Delete):
        return operation.partition_key, operation.row_key
    return operation.entity.partition_key, operation.entity.row_key


def _wire_size(operation: Operation) -> int:
    """Bytes an operation adds to a $batch body (JSON with ASCII escapes, base64 binary)."""
    pk, rk = operation_key(operation)
    size = _BATCH_OP_OVERHEAD + 3 * (len(json.dumps(pk)) + len(json.dumps(rk)))
    if isinstance(operation, Delete):
        return size
    for name, value in operation.entity.properties.items():
        size += 2 * len(name) + 40 + _json_size(value)
    return size


def _json_size(value: EntityValue) -> int:
    if isinstance(value, str):
        return len(json.dumps(value))
    if isinstance(value, bytes):
        return 4 * math.ceil(len(value) / 3) + 2
    return 40


def check_table_name(name: str) -> str:
    """Return the name, or raise ValueError if Table Storage would refuse it."""
    if not _TABLE_NAME.fullmatch(name) or name.lower() == "tables":
        raise ValueError(f"invalid table name {name!r}: want 3-63 letters and digits")
    return name


def check_page_size(page_size: int) -> int:
    """Return the page size, or raise StorageLimitExceeded outside 1..1000."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise StorageLimitExceeded(f"page size {page_size}; want 1..{MAX_PAGE_SIZE}")
    return page_size


def encode_continuation(token: Mapping[str, str]) -> str:
    """Opaque, URL-safe form of a continuation token."""
    raw = json.dumps(dict(token), separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_continuation(continuation: str) -> dict[str, str]:
    """Inverse of `encode_continuation`; ValueError when the token was not made by it."""
    try:
        token = json.loads(base64.urlsafe_b64decode(continuation.encode("ascii")))
    except (ValueError, UnicodeError) as err:
        raise ValueError("invalid continuation token") from err
    if not isinstance(token, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in token.items()
    ):
        raise ValueError("invalid continuation token")
    return token
