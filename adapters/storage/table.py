"""The table port that repositories build on; implemented by AzureTable and MemoryTable."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from adapters.storage.entities import (
    MAX_STRING_CHARS,
    Entity,
    EntityValue,
    Operation,
    Page,
    StorageLimitExceeded,
    UpdateMode,
)
from adapters.storage.keys import key_length, validate_key
from adapters.storage.limits import decode_continuation
from services.errors import InvalidInput

SCAN_TOKEN_KEYS = ("PartitionKey", "RowKey")


class InvalidContinuation(InvalidInput, ValueError):
    """A continuation token that this table (or a repository over it) never issued (HTTP 400)."""

    def __init__(self, message: str = "invalid continuation token") -> None:
        super().__init__(message, "continuation")


class Table(Protocol):
    """One Table Storage table, with the service's semantics (ETags, batches, paging).

    Errors: stale ETag or a missing entity on a conditional write -> ConcurrencyConflict;
    insert of an existing key -> EntityAlreadyExists; limits -> StorageLimitExceeded (nothing
    sent); anything transient -> StorageUnavailable. SDK errors never escape.
    """

    @property
    def name(self) -> str:
        """The table's name."""
        ...

    def create(self) -> None:
        """Create the table if it does not exist."""
        ...

    def get(self, partition_key: str, row_key: str) -> Entity | None:
        """Point read; None when absent."""
        ...

    def insert(self, entity: Entity) -> Entity:
        """Create the entity and return it with its ETag."""
        ...

    def update(self, entity: Entity, mode: UpdateMode = UpdateMode.MERGE) -> Entity:
        """Update (conditional on entity.etag when set) and return it with the new ETag."""
        ...

    def upsert(self, entity: Entity, mode: UpdateMode = UpdateMode.MERGE) -> Entity:
        """Insert or update unconditionally; return it with the new ETag."""
        ...

    def delete(self, partition_key: str, row_key: str, etag: str | None = None) -> None:
        """Delete (conditional on etag when set); deleting a missing entity is a no-op."""
        ...

    def submit(self, operations: Sequence[Operation]) -> list[str | None]:
        """Run an entity group transaction (one partition, <= 100 ops): all or nothing.

        A missing entity for an Update or Delete fails the whole batch (ConcurrencyConflict).
        Returns the new ETag per operation (None for deletes).
        """
        ...

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
        ...

    def query(
        self,
        partition_key: str,
        *,
        row_key_from: str | None = None,
        row_key_before: str | None = None,
    ) -> Iterator[Entity]:
        """Every matching row, following continuation tokens."""
        ...

    def scan_page(
        self,
        filter_expression: str,
        *,
        page_size: int = 1000,
        continuation: str | None = None,
        select: Sequence[str] | None = None,
    ) -> Page:
        """One page of the rows of any partition matching an OData filter, in key order.

        A page may hold fewer rows than asked (even none) and still have a continuation.
        `select` limits the properties returned. Filter only on properties every row has:
        the service never matches a missing property, the in-memory fake treats it as null
        (so `ne` differs), and the service compares integers only with `L`-suffixed literals.
        An unusable continuation raises InvalidContinuation.
        """
        ...


def follow_pages(
    table: Table,
    partition_key: str,
    *,
    row_key_from: str | None = None,
    row_key_before: str | None = None,
) -> Iterator[Entity]:
    """Every row of a range query, following continuation tokens (a page may be empty)."""
    continuation: str | None = None
    while True:
        page = table.query_page(
            partition_key, row_key_from=row_key_from, row_key_before=row_key_before,
            continuation=continuation,
        )  # fmt: skip
        yield from page.entities
        if (continuation := page.continuation) is None:
            return


def scan_up_to(
    table: Table,
    filter_expression: str,
    limit: int,
    *,
    continuation: str | None = None,
    select: Sequence[str] | None = None,
    max_requests: int = 5,
) -> Page:
    """Up to `limit` matching rows, following short pages for at most `max_requests` requests.

    The service may return short or empty pages while it scans; the bound keeps one call's cost
    predictable, so the result may still be short, with a continuation.
    """
    found: list[Entity] = []
    token = continuation
    for _ in range(max_requests):
        page = table.scan_page(
            filter_expression, page_size=limit - len(found), continuation=token, select=select
        )
        found.extend(page.entities)
        token = page.continuation
        if token is None or len(found) >= limit:
            break
    return Page(found, token)


def scan_position(continuation: str) -> dict[str, str]:
    """The next (PartitionKey, RowKey) a scan token points at; InvalidContinuation if forged."""
    try:
        token = decode_continuation(continuation)
    except ValueError as err:
        raise InvalidContinuation() from err
    if "PartitionKey" not in token or not set(token) <= set(SCAN_TOKEN_KEYS):
        raise InvalidContinuation()
    try:
        for key in token.values():
            validate_key(key)
    except StorageLimitExceeded as err:
        raise InvalidContinuation() from err
    return token


def split_text(text: str, units: int = MAX_STRING_CHARS) -> list[str]:
    """Cut text into pieces of at most `units` UTF-16 units, never inside a surrogate pair."""
    if units < 2:
        raise ValueError("a piece must hold at least 2 units (one character beyond the BMP)")
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + units, len(text))
        # Characters beyond the BMP count two units each; shrink until the piece fits.
        while (excess := key_length(text[start:end]) - units) > 0:
            end -= (excess + 1) // 2
        pieces.append(text[start:end])
        start = end
    return pieces


def text_properties(name: str, text: str) -> dict[str, EntityValue]:
    """Text of any length as properties `name`, `name01`, `name02`, ... within the string limit."""
    pieces = split_text(text) or [""]
    return {name if i == 0 else f"{name}{i:02d}": piece for i, piece in enumerate(pieces)}


def joined_text(name: str, properties: Mapping[str, EntityValue]) -> str:
    """The text `text_properties` spread over properties, joined again."""
    pattern = re.compile(re.escape(name) + r"(\d{2})?")
    names = sorted(n for n in properties if pattern.fullmatch(n))
    return "".join(str(properties[n]) for n in names)
