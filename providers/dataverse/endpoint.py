"""Dynamics 365 Sales as a sync endpoint: `salesorders` and `salesorderdetails` by entity name.

Maps name lookups with dotted names (`customerid.accountnumber`, `uomid.name`,
`salesorderid.salesorderid`). `LOOKUPS` is the one table that turns them into Web API shapes:
written as `<navigation>@odata.bind` by alternate key (`/accounts(accountnumber='US-001')`, or by
GUID when the column is the target's primary key), read back through `$expand` into the same
dotted names, and filtered as `<navigation>/<column>` (`_<lookup>_value` for the GUID).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from domain.filters import FilterValue
from providers.dataverse.client import DataverseClient, Row
from providers.dataverse.wire import literal, utc_text
from services.providers.gateway import PermanentProviderFailure
from services.sync.ports import RemoteRecord


@dataclass(frozen=True)
class Lookup:
    """A lookup column: its navigation property, target entity set, target key, columns read."""

    navigation: str
    entity_set: str
    key: str
    columns: tuple[str, ...]


def _lookup(navigation: str, entity_set: str, key: str, *columns: str) -> Lookup:
    return Lookup(navigation, entity_set, key, columns)


_CURRENCY = _lookup("transactioncurrencyid", "transactioncurrencies", "transactioncurrencyid",
                    "isocurrencycode")  # fmt: skip
# entity -> lookup attribute (the dotted name's prefix) -> how to bind, expand and filter it
LOOKUPS: MappingProxyType[str, MappingProxyType[str, Lookup]] = MappingProxyType(
    {
        "salesorders": MappingProxyType(
            {
                "customerid": _lookup("customerid_account", "accounts", "accountid",
                                      "accountnumber"),
                "msdyn_invoicecustomerid": _lookup("msdyn_invoicecustomerid_account", "accounts",
                                                   "accountid", "accountnumber"),
                "pricelevelid": _lookup("pricelevelid", "pricelevels", "pricelevelid", "name"),
                "transactioncurrencyid": _CURRENCY,
                "msdyn_company": _lookup("msdyn_company", "cdm_companies", "cdm_companyid",
                                         "cdm_companycode"),
            }
        ),
        "salesorderdetails": MappingProxyType(
            {
                "salesorderid": _lookup("salesorderid", "salesorders", "salesorderid",
                                        "ordernumber", "msdyn_salesordernumber"),
                "productid": _lookup("productid", "products", "productid", "productnumber",
                                     "msdyn_productnumber"),
                "uomid": _lookup("uomid", "uoms", "uomid", "name", "msdyn_symbol"),
                "transactioncurrencyid": _CURRENCY,
            }
        ),
    }
)  # fmt: skip
KEYS: MappingProxyType[str, str] = MappingProxyType(
    {"salesorders": "salesorderid", "salesorderdetails": "salesorderdetailid"}
)
# child entity -> (the lookup naming its parent, the order its records are read in)
PARENTS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {"salesorderdetails": ("salesorderid", "sequencenumber asc,createdon asc")}
)


class DataverseSyncEndpoint:
    """The SyncEndpoint port over the Dataverse Web API client."""

    def __init__(self, client: DataverseClient) -> None:
        self._client = client

    def get(self, entity: str, key: Mapping[str, FilterValue]) -> RemoteRecord | None:
        """The record with this key, or None when it does not exist."""
        row = self._client.get(entity, self._row_id(entity, key), expand=_expand(entity))
        return None if row is None else to_record(entity, row)

    def find(self, entity: str, fields: Mapping[str, FilterValue]) -> RemoteRecord | None:
        """The first record (oldest) whose fields equal these, or None."""
        conditions = " and ".join(_condition(entity, name, value) for name, value in fields.items())
        rows = self._client.query(
            entity, filter=conditions or None, expand=_expand(entity), orderby="createdon", top=1
        )
        return to_record(entity, rows[0]) if rows else None

    def create(self, entity: str, fields: Mapping[str, FilterValue]) -> RemoteRecord:
        """Create the record; it is read back so its lookups come back as dotted names."""
        created = self._client.create(entity, to_body(entity, fields))
        return self._reread(entity, str(created[_key_column(entity)]))

    def update(
        self,
        entity: str,
        key: Mapping[str, FilterValue],
        fields: Mapping[str, FilterValue],
        *,
        if_version: str | None = None,
    ) -> RemoteRecord:
        """PATCH these fields (If-Match: the version, or `*`); VersionConflict on 412."""
        row_id = self._row_id(entity, key)
        body = to_body(entity, fields)
        self._client.update(entity, row_id, body, if_match=if_version or "*", representation=False)
        return self._reread(entity, row_id)

    def changed_since(
        self, entity: str, since: datetime | None, limit: int
    ) -> Sequence[RemoteRecord]:
        """Up to `limit` records with `modifiedon` at or after `since`, oldest change first.

        Ties within a second are ordered by `versionnumber`, the row version Dataverse raises on
        every change, so a page boundary never reorders changes.
        """
        rows = self._client.query(
            entity,
            filter=None if since is None else f"modifiedon ge {utc_text(since)}",
            expand=_expand(entity),
            orderby="modifiedon asc,versionnumber asc",  # modifiedon has whole seconds only
            top=limit,
        )
        return [to_record(entity, row) for row in rows]

    def children(
        self, entity: str, parent_key: Mapping[str, FilterValue]
    ) -> Sequence[RemoteRecord]:
        """The records whose parent lookup holds the parent's GUID (`_salesorderid_value eq`)."""
        attribute, orderby = _parent(entity)
        lookup = _lookups(entity)[attribute]
        if parent_key.get(lookup.key) is None:
            raise PermanentProviderFailure(
                f"{entity} parent key needs {lookup.key}, got {sorted(parent_key)}"
            )
        condition = _condition(entity, f"{attribute}.{lookup.key}", parent_key[lookup.key])
        rows = self._client.query(entity, filter=condition, expand=_expand(entity), orderby=orderby)
        return [to_record(entity, row) for row in rows]

    def _reread(self, entity: str, row_id: str) -> RemoteRecord:
        row = self._client.get(entity, row_id, expand=_expand(entity))
        if row is None:
            raise PermanentProviderFailure(f"{entity}({row_id}) vanished after it was written")
        return to_record(entity, row)

    def _row_id(self, entity: str, key: Mapping[str, FilterValue]) -> str:
        column = _key_column(entity)
        if key.get(column) is None:
            raise PermanentProviderFailure(f"{entity} key needs {column}, got {sorted(key)}")
        return str(key[column])


def to_body(entity: str, fields: Mapping[str, FilterValue]) -> dict[str, Any]:
    """The Web API body for these fields: dotted lookups become `@odata.bind` references."""
    body: dict[str, Any] = {}
    binds: dict[str, dict[str, FilterValue]] = {}
    for name, value in fields.items():
        attribute, column = _split(entity, name)
        if column is None:
            body[name] = value
        else:
            binds.setdefault(attribute, {})[column] = value
    for attribute, columns in binds.items():
        lookup = _lookups(entity)[attribute]
        body[f"{lookup.navigation}@odata.bind"] = _reference(lookup, columns)
    return body


def to_record(entity: str, row: Row) -> RemoteRecord:
    """A Web API row as the engine sees it: plain columns plus dotted lookup values."""
    fields: dict[str, FilterValue] = {
        name: value
        for name, value in row.items()
        if "@" not in name and not isinstance(value, dict)
    }
    for attribute, lookup in _lookups(entity).items():
        expanded = row.get(lookup.navigation)
        target = expanded if isinstance(expanded, dict) else {}
        fields[f"{attribute}.{lookup.key}"] = row.get(f"_{attribute}_value")
        for column in lookup.columns:
            fields[f"{attribute}.{column}"] = target.get(column)
    key_column = _key_column(entity)
    modified = row.get("modifiedon")
    return RemoteRecord(
        entity=entity,
        key={key_column: row.get(key_column)},
        fields=fields,
        version=row.get("@odata.etag"),
        modified_at=datetime.fromisoformat(modified) if isinstance(modified, str) else None,
    )


def _reference(lookup: Lookup, columns: Mapping[str, FilterValue]) -> str | None:
    """`/set(<guid>)` by primary key, `/set(col='v',...)` by alternate key, None to clear."""
    if lookup.key in columns:
        value = columns[lookup.key]
        return None if value is None else f"/{lookup.entity_set}({literal(value, guid=True)})"
    if all(value is None for value in columns.values()):
        return None
    keys = ",".join(f"{column}={literal(value)}" for column, value in columns.items())
    return f"/{lookup.entity_set}({keys})"


def _condition(entity: str, name: str, value: FilterValue) -> str:
    attribute, column = _split(entity, name)
    if column is None:
        return f"{name} eq {literal(value, guid=name.endswith('_value'))}"
    lookup = _lookups(entity)[attribute]
    if column == lookup.key:
        return f"_{attribute}_value eq {literal(value, guid=True)}"
    return f"{lookup.navigation}/{column} eq {literal(value)}"


def _split(entity: str, name: str) -> tuple[str, str | None]:
    """`customerid.accountnumber` as (customerid, accountnumber); a plain column as (name, None)."""
    if "." not in name:
        return name, None
    attribute, column = name.split(".", 1)
    if attribute not in _lookups(entity):
        raise PermanentProviderFailure(f"{entity} has no lookup {attribute!r} (field {name!r})")
    return attribute, column


def _expand(entity: str) -> str:
    return ",".join(
        f"{lookup.navigation}($select={','.join((lookup.key, *lookup.columns))})"
        for lookup in _lookups(entity).values()
    )


def _lookups(entity: str) -> Mapping[str, Lookup]:
    _key_column(entity)
    return LOOKUPS[entity]


def _parent(entity: str) -> tuple[str, str]:
    _key_column(entity)
    parent = PARENTS.get(entity)
    if parent is None:
        raise PermanentProviderFailure(f"Dynamics 365 Sales sync entity {entity!r} has no parent")
    return parent


def _key_column(entity: str) -> str:
    column = KEYS.get(entity)
    if column is None:
        raise PermanentProviderFailure(f"Dynamics 365 Sales sync has no entity {entity!r}")
    return column
