"""The simulated Dataverse tables: entity sets, primary and alternate keys, and lookups.

Only what the sales order sync touches: `salesorders`, `salesorderdetails`, and small reference
tables that lookups point at, each with the alternate keys an `@odata.bind` may name
(`/accounts(accountnumber='US-001')`). A lookup is written through its navigation property
(`customerid_account@odata.bind`) and read back as `_<attribute>_value` (`_customerid_value`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from uuid import UUID

from simulators.sales.wire import BAD_PROPERTY, INVALID_ARGUMENT, EntityError

SALESORDERS, SALESORDERDETAILS = "salesorders", "salesorderdetails"


@dataclass(frozen=True)
class Table:
    """An entity set: its logical name, primary key column and alternate key columns."""

    logical_name: str
    key: str
    alternate_keys: tuple[str, ...] = ()
    writable: bool = False  # by the Web API here; reference rows are seeded through admin


@dataclass(frozen=True)
class Lookup:
    """A single-valued navigation property: the lookup attribute and the entity set it targets."""

    attribute: str
    target: str

    @property
    def value_column(self) -> str:
        """The read-only column holding the referenced row's GUID."""
        return f"_{self.attribute}_value"


TABLES: MappingProxyType[str, Table] = MappingProxyType(
    {
        SALESORDERS: Table(
            "salesorder", "salesorderid", ("ordernumber", "msdyn_salesordernumber"), True
        ),
        SALESORDERDETAILS: Table("salesorderdetail", "salesorderdetailid", (), True),
        "accounts": Table("account", "accountid", ("accountnumber",)),
        "pricelevels": Table("pricelevel", "pricelevelid", ("name",)),
        "uoms": Table("uom", "uomid", ("name", "msdyn_symbol")),
        "products": Table("product", "productid", ("productnumber", "msdyn_productnumber")),
        "transactioncurrencies": Table(
            "transactioncurrency", "transactioncurrencyid", ("isocurrencycode",)
        ),
        "cdm_companies": Table("cdm_company", "cdm_companyid", ("cdm_companycode",)),
    }
)

LOOKUPS: MappingProxyType[str, MappingProxyType[str, Lookup]] = MappingProxyType(
    {
        SALESORDERS: MappingProxyType(
            {
                "customerid_account": Lookup("customerid", "accounts"),
                "msdyn_invoicecustomerid_account": Lookup("msdyn_invoicecustomerid", "accounts"),
                "pricelevelid": Lookup("pricelevelid", "pricelevels"),
                "transactioncurrencyid": Lookup("transactioncurrencyid", "transactioncurrencies"),
                "msdyn_company": Lookup("msdyn_company", "cdm_companies"),
            }
        ),
        SALESORDERDETAILS: MappingProxyType(
            {
                "salesorderid": Lookup("salesorderid", SALESORDERS),
                "productid": Lookup("productid", "products"),
                "uomid": Lookup("uomid", "uoms"),
                "transactioncurrencyid": Lookup("transactioncurrencyid", "transactioncurrencies"),
            }
        ),
    }
)

_REFERENCE = re.compile(r"^(?:.*/)?(\w+)\((.+)\)$")
_KEY_PAIR = re.compile(r"\s*(\w+)\s*=\s*('(?:[^']|'')*'|[^,]+)\s*(?:,|$)")
_PROPERTY = re.compile(r"^[a-z][a-z0-9_]*$")


def table(entity_set: str) -> Table:
    """The table of an entity set (404 EntityError when there is none)."""
    found = TABLES.get(entity_set)
    if found is None:
        raise EntityError(404, BAD_PROPERTY, f"Resource not found for the segment '{entity_set}'.")
    return found


def lookups(entity_set: str) -> MappingProxyType[str, Lookup]:
    """The navigation properties of an entity set (none for reference tables)."""
    return LOOKUPS.get(entity_set, MappingProxyType({}))


def parse_reference(text: str) -> tuple[str, UUID | dict[str, str]]:
    """`/set(<guid>)` or `/set(col='v')` as (set, GUID) or (set, {col: v})."""
    match = _REFERENCE.match(text.strip())
    if match is None:
        raise EntityError(400, INVALID_ARGUMENT, f"Invalid entity reference {text!r}")
    entity_set, inside = match.groups()
    try:
        return entity_set, UUID(inside)
    except ValueError:
        pass  # not a GUID: alternate key values
    values: dict[str, str] = {}
    position = 0
    while position < len(inside):
        pair = _KEY_PAIR.match(inside, position)
        if pair is None:
            raise EntityError(400, INVALID_ARGUMENT, f"Invalid key in entity reference {text!r}")
        values[pair.group(1)] = _key_value(pair.group(2))
        position = pair.end()
    return entity_set, values


def check_property(entity_set: str, name: str) -> None:
    """Refuse names that cannot be a column of the table (F&O-style names, `_x_value`)."""
    logical = table(entity_set).logical_name
    if name.startswith("_") and name.endswith("_value"):
        raise EntityError(
            400, BAD_PROPERTY, f"'{name}' is read-only: write the lookup with '@odata.bind'"
        )
    if not _PROPERTY.match(name):
        raise EntityError(
            400,
            BAD_PROPERTY,
            f"The property '{name}' does not exist on type 'Microsoft.Dynamics.CRM.{logical}'. "
            "Make sure to only use property names that are defined by the type.",
        )


def _key_value(text: str) -> str:
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    return text
