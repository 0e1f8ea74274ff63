"""Installed provider instances on Table Storage: one small partition."""

from __future__ import annotations

from adapters.storage.entities import Entity, UpdateMode
from adapters.storage.keys import escape_key
from adapters.storage.table import Table, joined_text, text_properties
from domain.providers.model import ProviderInstance

PROVIDERS_TABLE = "Providers"
_PARTITION = "instances"


class TableProviderRepository:
    """Implements ProviderRepository."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, instance_id: str) -> ProviderInstance | None:
        """The instance, or None."""
        row = self._table.get(_PARTITION, escape_key(instance_id))
        return None if row is None else _instance(row)

    def list(self) -> list[ProviderInstance]:
        """Every instance."""
        return [_instance(row) for row in self._table.query(_PARTITION)]

    def save(self, instance: ProviderInstance) -> None:
        """Insert or replace the instance."""
        properties = {
            "DefinitionId": instance.definition_id,
            "Status": instance.status.value,
            **text_properties("Json", instance.model_dump_json()),
        }
        entity = Entity(_PARTITION, escape_key(instance.instance_id), properties)
        self._table.upsert(entity, UpdateMode.REPLACE)

    def delete(self, instance_id: str) -> None:
        """Remove the instance (missing is fine)."""
        self._table.delete(_PARTITION, escape_key(instance_id))


def _instance(row: Entity) -> ProviderInstance:
    return ProviderInstance.model_validate_json(joined_text("Json", row.properties))
