"""The simulated Dataverse organisation: sales orders, their lines and the reference rows.

Rows are plain dicts keyed by column logical name; money stays Decimal. Every change takes the
next value of one organisation-wide counter as the row's `versionnumber`, which is also its
`@odata.etag` (`W/"<n>"`), and stamps `modifiedon`. The Prospect-to-cash rules (`rules`) are
applied on every write: activation only with externally maintained products, and Sales users
edit only Draft orders while the integration keeps writing after activation.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from simulators.sales.options import ACTIVE, DRAFT
from simulators.sales.rules import (
    activates,
    check_activatable,
    check_activation,
    check_editable,
    check_options,
    default_status,
)
from simulators.sales.schema import (
    SALESORDERDETAILS,
    SALESORDERS,
    TABLES,
    Lookup,
    check_property,
    lookups,
    parse_reference,
    table,
)
from simulators.sales.wire import (
    BAD_PROPERTY,
    DUPLICATE,
    INVALID_ARGUMENT,
    KEY_NOT_FOUND,
    NOT_FOUND,
    VERSION_MISMATCH,
    Entity,
    EntityError,
    timestamp,
)

DEFAULT_CURRENCY = "USD"
DEFAULT_PRICE_LIST = "CRM Service USA (sample)"
_SYSTEM_COLUMNS = frozenset({"createdon", "modifiedon", "versionnumber"})
_BIND = "@odata.bind"


def etag(row: Mapping[str, Any]) -> str:
    """The row's weak ETag, from its version number."""
    return f'W/"{row["versionnumber"]}"'


@dataclass
class SalesStore:
    """Every table's rows, guarded by one lock."""

    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    tables: dict[str, dict[str, Entity]] = field(
        default_factory=lambda: {name: {} for name in TABLES}
    )
    lock: threading.RLock = field(default_factory=threading.RLock)
    _versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _order_numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.add_reference("transactioncurrencies", {"isocurrencycode": DEFAULT_CURRENCY})
        self.add_reference("pricelevels", {"name": DEFAULT_PRICE_LIST})
        self.add_reference("uoms", {"name": "Each", "msdyn_symbol": "ea"})

    # --- reads --------------------------------------------------------------------------------

    def row(self, entity_set: str, row_id: str) -> Entity:
        """A copy of the row with this key (404 EntityError when absent)."""
        logical = table(entity_set).logical_name
        with self.lock:
            found = self.tables[entity_set].get(row_id.lower())
            if found is None:
                raise EntityError(404, NOT_FOUND, f"{logical} With Id = {row_id} Does Not Exist")
            return dict(found)

    def rows(self, entity_set: str) -> list[Entity]:
        """Copies of every row of a table, oldest first."""
        table(entity_set)
        with self.lock:
            return [dict(row) for row in self.tables[entity_set].values()]

    def referenced(self, lookup: Lookup, row: Mapping[str, Any]) -> Entity | None:
        """The row a lookup of `row` points at, or None when it is empty."""
        target = row.get(lookup.value_column)
        with self.lock:
            found = self.tables[lookup.target].get(str(target)) if target else None
            return None if found is None else dict(found)

    def lines_of(self, order_id: str) -> list[Entity]:
        """The lines of an order in sequence order."""
        with self.lock:
            lines = [
                dict(line)
                for line in self.tables[SALESORDERDETAILS].values()
                if line.get("_salesorderid_value") == order_id
            ]
        return sorted(lines, key=lambda line: int(line.get("sequencenumber") or 0))

    # --- writes -------------------------------------------------------------------------------

    def add_reference(self, entity_set: str, body: Mapping[str, Any]) -> Entity:
        """Seed a reference row (an account, product, unit, price list, currency, company)."""
        spec = table(entity_set)
        if spec.writable:
            raise EntityError(400, INVALID_ARGUMENT, f"{entity_set} are not reference rows")
        with self.lock:
            for column in spec.alternate_keys:
                if body.get(column) is not None and self._by_keys(
                    entity_set, {column: body[column]}
                ):
                    raise EntityError(
                        400,
                        DUPLICATE,
                        f"A {spec.logical_name} with {column} {body[column]!r} already exists",
                    )
            row_id = self._new_id(entity_set, body.get(spec.key))
            row: Entity = {**body, spec.key: row_id}
            self._stamp(row, created=True)
            self.tables[entity_set][row_id] = row
            return dict(row)

    def create(self, entity_set: str, body: Mapping[str, Any]) -> Entity:
        """Create an order or a line as the Web API does (binds resolved, defaults applied)."""
        spec = table(entity_set)
        if not spec.writable:
            raise EntityError(405, INVALID_ARGUMENT, f"{entity_set} are read-only here")
        with self.lock:
            row_id = self._new_id(entity_set, body.get(spec.key))
            row: Entity = {spec.key: row_id, **self._defaults(entity_set)}
            self._apply(entity_set, row, body)
            self._complete(entity_set, row)
            self._stamp(row, created=True)
            self.tables[entity_set][row_id] = row
            return dict(row)

    def update(
        self, entity_set: str, row_id: str, body: Mapping[str, Any], if_match: str | None
    ) -> Entity:
        """PATCH: update, If-Match checked unless `*`; with no If-Match a missing row is created."""
        spec = table(entity_set)
        with self.lock:
            current = self.tables[entity_set].get(row_id.lower()) if spec.writable else None
            if current is None and spec.writable and if_match is None:
                return self.create(entity_set, {**body, spec.key: row_id})
            if current is None:
                return self.row(entity_set, row_id)  # raises the 404
            if if_match not in (None, "*") and if_match != etag(current):
                raise EntityError(
                    412,
                    VERSION_MISMATCH,
                    "The version of the existing record "
                    "doesn't match the RowVersion property provided.",
                )
            row = dict(current)
            self._apply(entity_set, row, body)
            if "statecode" in body and "statuscode" not in body:
                row["statuscode"] = default_status(row["statecode"])
            self._complete(entity_set, row)
            if entity_set == SALESORDERS and activates(current, row):
                check_activation(row, self.lines_of(row["salesorderid"]))
            self._stamp(row, created=False)
            self.tables[entity_set][row[spec.key]] = row
            return dict(row)

    def activate(self, order_id: str) -> Entity:
        """The Activate button: Draft -> Active, only with externally maintained products."""
        with self.lock:
            check_activatable(self.row(SALESORDERS, order_id))
            return self.update(SALESORDERS, order_id, {"msdyn_processingstatus": ACTIVE}, "*")

    def user_create(self, body: Mapping[str, Any], lines: list[Mapping[str, Any]]) -> Entity:
        """A Sales user saves a new order with its lines: all of it, or nothing."""
        with self.lock:
            order_id = self.create(SALESORDERS, body)["salesorderid"]
            try:
                for line in lines:
                    self.user_add_line(order_id, line)
            except EntityError:
                self._discard(order_id)
                raise
            return self.row(SALESORDERS, order_id)

    def user_update(self, order_id: str, body: Mapping[str, Any]) -> Entity:
        """A Sales user's edit of an order: only Draft orders are editable in the UI."""
        with self.lock:
            check_editable(self.row(SALESORDERS, order_id))
            return self.update(SALESORDERS, order_id, body, "*")

    def user_add_line(self, order_id: str, body: Mapping[str, Any]) -> Entity:
        """A Sales user adds a line to an order (only while it is Draft)."""
        with self.lock:
            check_editable(self.row(SALESORDERS, order_id))
            bind = {f"salesorderid{_BIND}": f"/salesorders({order_id})"}
            return self.create(SALESORDERDETAILS, {**body, **bind})

    def _defaults(self, entity_set: str) -> Entity:
        if entity_set == SALESORDERS:
            number = f"ORD-{next(self._order_numbers):05d}-SIM"
            return {
                "statecode": 0,
                "statuscode": 1,
                "msdyn_processingstatus": DRAFT,
                "ordernumber": number,
            }
        return {"isproductoverridden": False}

    def _complete(self, entity_set: str, row: Entity) -> None:
        """Fill what Dataverse derives, then check the row as a whole."""
        if not row.get("_transactioncurrencyid_value"):
            row["_transactioncurrencyid_value"] = self._currency_for(entity_set, row)
        if entity_set == SALESORDERS:
            check_options(row)
            return
        order_id = row.get("_salesorderid_value")
        if not order_id:
            raise EntityError(
                400, INVALID_ARGUMENT, "salesorderid must be set on a salesorderdetail"
            )
        if row.get("sequencenumber") is None:
            row["sequencenumber"] = len(self.lines_of(order_id)) + 1

    def _currency_for(self, entity_set: str, row: Mapping[str, Any]) -> str | None:
        if entity_set == SALESORDERDETAILS and row.get("_salesorderid_value"):
            order = self.tables[SALESORDERS].get(row["_salesorderid_value"], {})
            return order.get("_transactioncurrencyid_value")
        found = self._by_keys("transactioncurrencies", {"isocurrencycode": DEFAULT_CURRENCY})
        return found[0]["transactioncurrencyid"] if found else None

    # --- mechanics ----------------------------------------------------------------------------

    def _apply(self, entity_set: str, row: Entity, body: Mapping[str, Any]) -> None:
        key = table(entity_set).key
        for name, value in body.items():
            if name.endswith(_BIND):
                self._bind(entity_set, row, name.removesuffix(_BIND), value)
            elif name.startswith("@") or "@" in name or name in _SYSTEM_COLUMNS:
                continue  # annotations and system columns are not written
            elif name == key:
                if str(value).lower() != row[key]:
                    raise EntityError(400, INVALID_ARGUMENT, f"{key} cannot be changed")
            else:
                check_property(entity_set, name)
                row[name] = value

    def _bind(self, entity_set: str, row: Entity, navigation: str, reference: Any) -> None:
        lookup = lookups(entity_set).get(navigation)
        if lookup is None:
            logical = table(entity_set).logical_name
            raise EntityError(
                400,
                BAD_PROPERTY,
                f"An undeclared property '{navigation}' which "
                f"only has property annotations in the payload but no property "
                f"value was found in the payload ({logical}).",
            )
        if reference is None:
            row[lookup.value_column] = None  # disassociate
            return
        target, key = parse_reference(str(reference))
        if target != lookup.target:
            raise EntityError(
                400, INVALID_ARGUMENT, f"'{navigation}' refers to {lookup.target}, not {target}"
            )
        row[lookup.value_column] = self._resolve(target, key)

    def _resolve(self, entity_set: str, key: UUID | dict[str, str]) -> str:
        spec = table(entity_set)
        if isinstance(key, UUID):
            if str(key) not in self.tables[entity_set]:
                raise EntityError(
                    400, NOT_FOUND, f"{spec.logical_name} With Id = {key} Does Not Exist"
                )
            return str(key)
        unknown = sorted(set(key) - set(spec.alternate_keys))
        if unknown:
            raise EntityError(
                400,
                INVALID_ARGUMENT,
                f"The key attribute '{unknown[0]}' is not "
                f"defined as an alternate key of {spec.logical_name}",
            )
        found = self._by_keys(entity_set, key)
        if not found:
            raise EntityError(
                400,
                KEY_NOT_FOUND,
                "A record with the specified key values does "
                f"not exist in {spec.logical_name} entity ({key})",
            )
        return str(found[0][spec.key])

    def _by_keys(self, entity_set: str, values: Mapping[str, Any]) -> list[Entity]:
        return [
            row
            for row in self.tables[entity_set].values()
            if all(str(row.get(column)) == str(value) for column, value in values.items())
        ]

    def _new_id(self, entity_set: str, given: Any) -> str:
        if given is None:
            return str(uuid.uuid4())
        try:
            row_id = str(UUID(str(given)))
        except ValueError as err:
            raise EntityError(400, INVALID_ARGUMENT, f"{given!r} is not a GUID") from err
        if row_id in self.tables[entity_set]:
            raise EntityError(400, DUPLICATE, f"Cannot insert duplicate key {row_id}")
        return row_id

    def _discard(self, order_id: str) -> None:
        del self.tables[SALESORDERS][order_id]
        lines = self.tables[SALESORDERDETAILS]
        for line_id in [k for k, v in lines.items() if v.get("_salesorderid_value") == order_id]:
            del lines[line_id]

    def _stamp(self, row: Entity, *, created: bool) -> None:
        row["versionnumber"] = next(self._versions)
        row["modifiedon"] = timestamp(self.clock())
        if created:
            row["createdon"] = row["modifiedon"]
