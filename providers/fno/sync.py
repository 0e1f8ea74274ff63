"""F&O's dual-write entities as the sync engine's endpoint (`services.sync.ports.SyncEndpoint`).

The maps name their target entities as dual-write does ("CDS sales order headers", "CDS sales
order lines"); each is bound to one OData entity set and its key. Records come back with every
property F&O returned, the entity's key fields as the key, `@odata.etag` as the version and
`ModifiedDateTime` as the change time. Company ids (dataAreaId) are case-insensitive in F&O and
answered in lower case, so keys are lower-cased on the way out to compare equal on the way back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from domain.filters import FilterValue
from providers.fno.client import ETAG, FnoClient, Row
from providers.fno.odata import datetime_literal, equals_filter
from services.providers.gateway import PermanentProviderFailure
from services.sync.ports import Fields, RemoteRecord

MODIFIED = "ModifiedDateTime"
_INTEGER_FIELDS = frozenset({"LineCreationSequenceNumber"})


@dataclass(frozen=True)
class Binding:
    """Where a dual-write entity lives in OData: its entity set and key properties."""

    entity_set: str
    key: tuple[str, ...]
    parent: tuple[str, ...] = ()  # the leading key properties that are its parent's key


BINDINGS: dict[str, Binding] = {
    "CDS sales order headers": Binding("CDSSalesOrderHeaders", ("dataAreaId", "SalesOrderNumber")),
    "CDS sales order lines": Binding(
        "CDSSalesOrderLines",
        ("dataAreaId", "SalesOrderNumber", "LineCreationSequenceNumber"),
        parent=("dataAreaId", "SalesOrderNumber"),
    ),
}


class FnoSyncEndpoint:
    """Reads and writes F&O's CDS sales order headers and lines for the sync engine."""

    def __init__(self, client: FnoClient) -> None:
        self._client = client

    def get(self, entity: str, key: Mapping[str, FilterValue]) -> RemoteRecord | None:
        """The record with this key, or None when it does not exist."""
        binding = _binding(entity)
        row = self._client.get_entity(binding.entity_set, _key(binding, key))
        return None if row is None else _record(entity, binding, row)

    def find(self, entity: str, fields: Mapping[str, FilterValue]) -> RemoteRecord | None:
        """The first record (of any company) whose fields equal these, or None."""
        binding = _binding(entity)
        if not fields:
            return None
        expression = equals_filter(_normalised(fields))
        rows = self._client.query_entities(binding.entity_set, expression, top=1)
        return _record(entity, binding, rows[0]) if rows else None

    def create(self, entity: str, fields: Mapping[str, FilterValue]) -> RemoteRecord:
        """Create the record; F&O assigns the order number when none is given."""
        binding = _binding(entity)
        body = {k: v for k, v in _normalised(fields).items() if v is not None}
        return _record(entity, binding, self._client.create_entity(binding.entity_set, body))

    def update(
        self,
        entity: str,
        key: Mapping[str, FilterValue],
        fields: Mapping[str, FilterValue],
        *,
        if_version: str | None = None,
    ) -> RemoteRecord:
        """PATCH the fields (keys never change); VersionConflict when `if_version` moved on."""
        binding = _binding(entity)
        body = {k: v for k, v in _normalised(fields).items() if k not in binding.key}
        row = self._client.update_entity(
            binding.entity_set, _key(binding, key), body, if_match=if_version
        )
        return _record(entity, binding, row)

    def changed_since(
        self, entity: str, since: datetime | None, limit: int
    ) -> Sequence[RemoteRecord]:
        """Up to `limit` records modified at or after `since`, oldest change first."""
        binding = _binding(entity)
        expression = None if since is None else f"{MODIFIED} ge {datetime_literal(since)}"
        rows = self._client.query_entities(
            binding.entity_set, expression, top=limit, orderby=f"{MODIFIED} asc"
        )
        return [_record(entity, binding, row) for row in rows]

    def children(
        self, entity: str, parent_key: Mapping[str, FilterValue]
    ) -> Sequence[RemoteRecord]:
        """The records under the parent with this key (an order's lines), in key order."""
        binding = _binding(entity)
        if not binding.parent:
            raise PermanentProviderFailure(f"F&O {binding.entity_set} has no parent entity")
        parent = Binding(binding.entity_set, binding.parent)
        rest = binding.key[len(binding.parent) :]
        rows = self._client.query_entities(
            binding.entity_set,
            equals_filter(_key(parent, parent_key)),
            orderby=",".join(f"{name} asc" for name in rest) or None,
        )
        return [_record(entity, binding, row) for row in rows]


def _binding(entity: str) -> Binding:
    binding = BINDINGS.get(entity)
    if binding is None:
        raise PermanentProviderFailure(f"F&O has no sync entity {entity!r}")
    return binding


def _key(binding: Binding, key: Mapping[str, FilterValue]) -> Fields:
    """Exactly the entity's key properties, in key order; a missing one fails permanently."""
    missing = [name for name in binding.key if key.get(name) in (None, "")]
    if missing:
        raise PermanentProviderFailure(
            f"F&O {binding.entity_set} key lacks {', '.join(missing)}: {dict(key)}"
        )
    normal = _normalised(key)
    return {name: normal[name] for name in binding.key}


def _normalised(fields: Mapping[str, FilterValue]) -> Fields:
    """Company ids in lower case and integer properties as int, as F&O answers them."""
    normal: Fields = dict(fields)
    area = normal.get("dataAreaId")
    if isinstance(area, str):
        normal["dataAreaId"] = area.lower()
    for name in _INTEGER_FIELDS & normal.keys():
        value = normal[name]
        if isinstance(value, str | Decimal | float):
            normal[name] = _integer(value)
    return normal


def _integer(value: str | Decimal | float) -> FilterValue:
    """An integral number as int; anything else unchanged, for F&O to refuse."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    return int(number) if number.is_finite() and number == number.to_integral_value() else value


def _record(entity: str, binding: Binding, row: Row) -> RemoteRecord:
    fields: Fields = {k: v for k, v in row.items() if not k.startswith("@odata.")}
    modified = fields.get(MODIFIED)
    return RemoteRecord(
        entity=entity,
        key={name: fields.get(name) for name in binding.key},
        fields=fields,
        version=None if row.get(ETAG) is None else str(row[ETAG]),
        modified_at=datetime.fromisoformat(modified) if isinstance(modified, str) else None,
    )
