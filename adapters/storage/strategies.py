"""Fulfillment strategies on Table Storage: one small partition, a row per strategy."""

from __future__ import annotations

from adapters.storage.entities import Entity, UpdateMode
from adapters.storage.keys import escape_key
from adapters.storage.table import Table, joined_text, text_properties
from domain.sourcing.model import Strategy

STRATEGIES_TABLE = "Strategies"
_PARTITION = "strategies"


class TableStrategyRepository:
    """Strategies by name; few enough that list() is one partition read."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, name: str) -> Strategy | None:
        """The strategy, or None."""
        row = self._table.get(_PARTITION, escape_key(name))
        return None if row is None else _strategy(row)

    def list(self) -> list[Strategy]:
        """Every strategy, by name."""
        return [_strategy(row) for row in self._table.query(_PARTITION)]

    def save(self, strategy: Strategy) -> None:
        """Insert or replace the strategy."""
        properties = {"Name": strategy.name, **text_properties("Json", strategy.model_dump_json())}
        entity = Entity(_PARTITION, escape_key(strategy.name), properties)
        self._table.upsert(entity, UpdateMode.REPLACE)

    def delete(self, name: str) -> None:
        """Remove the strategy (missing is fine)."""
        self._table.delete(_PARTITION, escape_key(name))


def _strategy(row: Entity) -> Strategy:
    return Strategy.model_validate_json(joined_text("Json", row.properties))
