"""Storage-neutral entities and operations shared by the Table Storage adapter and its fake."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

# Python values a property may hold. Every int is stored as Edm.Int64 so that a counter that
# crosses 2^31 never changes type (Table Storage filters compare only values of the same type).
EntityValue = str | int | float | bool | datetime | bytes | UUID

MAX_BATCH_OPERATIONS = 100
MAX_PROPERTIES = 252  # 255 including PartitionKey, RowKey and Timestamp
MAX_STRING_CHARS = 32 * 1024
MAX_BINARY_BYTES = 64 * 1024
MAX_KEY_CHARS = 512  # 1 KiB of UTF-16; Azurite rejects longer keys with InvalidInput
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class StorageLimitExceeded(ValueError):
    """An entity, key or batch breaks a Table Storage limit; it was never sent."""


class UpdateMode(StrEnum):
    """How an update treats properties that are not sent."""

    MERGE = "merge"
    REPLACE = "replace"


@dataclass(frozen=True)
class Entity:
    """One row: keys, properties and (when read or written) the ETag the service gave it."""

    partition_key: str
    row_key: str
    properties: Mapping[str, EntityValue] = field(default_factory=dict)
    etag: str | None = None


@dataclass(frozen=True)
class Insert:
    """Create the entity; fails with EntityAlreadyExists when the key is taken."""

    entity: Entity


@dataclass(frozen=True)
class Update:
    """Update an existing entity; conditional on `entity.etag` unless it is None."""

    entity: Entity
    mode: UpdateMode = UpdateMode.MERGE


@dataclass(frozen=True)
class Upsert:
    """Insert or replace/merge unconditionally."""

    entity: Entity
    mode: UpdateMode = UpdateMode.MERGE


@dataclass(frozen=True)
class Delete:
    """Delete the entity; conditional on `etag` unless it is None."""

    partition_key: str
    row_key: str
    etag: str | None = None


Operation = Insert | Update | Upsert | Delete


@dataclass(frozen=True)
class Page:
    """One page of a query and the opaque token for the next (None at the end)."""

    entities: list[Entity]
    continuation: str | None
