"""The table port that repositories build on; implemented by AzureTable and MemoryTable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from adapters.storage.entities import Entity, Operation, Page, UpdateMode


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
