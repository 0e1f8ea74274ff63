"""The SourceRepository on Table Storage.

Layout of the Sources table:
- partition `sources`: one row per fulfillment source, RowKey = escaped source id, with the
  source's JSON (`Json`) and the columns Name and Active; list() is one partition query;
- partition `lists`: one row per source list, RowKey = escaped list name, with its JSON.
A save replaces the row and needs it to exist (ConcurrencyConflict if it was deleted meanwhile).
"""

from __future__ import annotations

from adapters.storage.entities import Entity, EntityValue, UpdateMode
from adapters.storage.keys import escape_key
from adapters.storage.table import Table, joined_text, text_properties
from domain.inventory.sources import FulfillmentSource, SourceList

SOURCES_TABLE = "Sources"
SOURCES_PARTITION = "sources"
LISTS_PARTITION = "lists"


class TableSourceRepository:
    """Sources and source lists, each kind in one partition."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, source_id: str) -> FulfillmentSource | None:
        """The source, or None."""
        row = self._table.get(SOURCES_PARTITION, escape_key(source_id))
        return None if row is None else _source(row)

    def add(self, source: FulfillmentSource) -> None:
        """Store a new source (EntityAlreadyExists if the id is taken)."""
        self._table.insert(_source_row(source))

    def save(self, source: FulfillmentSource) -> None:
        """Replace a stored source (ConcurrencyConflict if it no longer exists)."""
        self._table.update(_source_row(source), UpdateMode.REPLACE)

    def delete(self, source_id: str) -> None:
        """Remove the source; a missing one is a no-op."""
        self._table.delete(SOURCES_PARTITION, escape_key(source_id))

    def get_list(self, name: str) -> SourceList | None:
        """The source list, or None."""
        row = self._table.get(LISTS_PARTITION, escape_key(name))
        return None if row is None else _source_list(row)

    def lists(self) -> list[SourceList]:
        """Every source list, by name."""
        return [_source_list(row) for row in self._table.query(LISTS_PARTITION)]

    def add_list(self, source_list: SourceList) -> None:
        """Store a new source list (EntityAlreadyExists if the name is taken)."""
        self._table.insert(_list_row(source_list))

    def save_list(self, source_list: SourceList) -> None:
        """Replace a stored source list (ConcurrencyConflict if it no longer exists)."""
        self._table.update(_list_row(source_list), UpdateMode.REPLACE)

    def delete_list(self, name: str) -> None:
        """Remove the source list; a missing one is a no-op."""
        self._table.delete(LISTS_PARTITION, escape_key(name))

    def list(self) -> list[FulfillmentSource]:
        """Every source, by id."""
        return [_source(row) for row in self._table.query(SOURCES_PARTITION)]


def _source_row(source: FulfillmentSource) -> Entity:
    columns: dict[str, EntityValue] = {
        **text_properties("Json", source.model_dump_json(by_alias=True)),
        "SourceId": source.source_id,
        "Name": source.name,
        "Active": source.active,
    }
    return Entity(SOURCES_PARTITION, escape_key(source.source_id), columns)


def _source(row: Entity) -> FulfillmentSource:
    return FulfillmentSource.model_validate_json(joined_text("Json", row.properties))


def _list_row(source_list: SourceList) -> Entity:
    columns: dict[str, EntityValue] = {
        **text_properties("Json", source_list.model_dump_json(by_alias=True)),
        "Name": source_list.name,
    }
    return Entity(LISTS_PARTITION, escape_key(source_list.name), columns)


def _source_list(row: Entity) -> SourceList:
    return SourceList.model_validate_json(joined_text("Json", row.properties))
