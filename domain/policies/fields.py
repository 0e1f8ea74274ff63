"""The fields a policy's "set value" action may assign, per associated entity.

A field is named by our API name (camelCase) or, as an alias, by the Dataverse column IOM shows
(`_msdyn_company_value`, `msdyn_company`, `priceperunit`, ...); names match without regard to
letter case. Each field knows its value type, how to coerce a literal to it and which model
attribute it writes. Text and dates may be set to null (clearing an assignment); flags and money
may not, since the model always holds a value for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from domain.errors import InvalidDefinition, Problem
from domain.orders.model import FulfillmentOrder, FulfillmentOrderLine, OrderLine, SalesOrder
from domain.policies.model import AssociatedEntity, SetValue, SetValueLiteral

Target = SalesOrder | OrderLine | FulfillmentOrder | FulfillmentOrderLine
Coerced = str | bool | Decimal | date | None

_MAX_TEXT = 100


class ValueKind(StrEnum):
    """The type of value a settable field holds."""

    TEXT = "text"
    FLAG = "true or false"
    MONEY = "non-negative number"
    DATE = "date (YYYY-MM-DD)"


@dataclass(frozen=True)
class SettableField:
    """One assignable field: API name, value kind, model attribute and Dataverse aliases."""

    name: str
    kind: ValueKind
    attribute: str
    aliases: tuple[str, ...] = ()

    def coerce(self, value: SetValueLiteral) -> Coerced:
        """The value as the model holds it; ValueError with the reason if it does not fit."""
        return _COERCERS[self.kind](value)

    def problem(self, value: SetValueLiteral) -> str | None:
        """Why the value cannot be assigned to this field, or None when it can."""
        try:
            self.coerce(value)
        except ValueError as err:
            return f"{self.name}: {err}"
        return None


_COMPANY = ("_msdyn_company_value", "msdyn_company")
_SITE = ("_msdyn_shippingsite_value", "msdyn_shippingsite")
_WAREHOUSE = ("_msdyn_shippingwarehouse_value", "msdyn_shippingwarehouse")
_READY = ("msdyn_isreadytosync",)

FIELDS: dict[AssociatedEntity, tuple[SettableField, ...]] = {
    AssociatedEntity.ORDER: (
        SettableField("company", ValueKind.TEXT, "company", _COMPANY),
        SettableField(
            "invoiceCustomerId",
            ValueKind.TEXT,
            "invoice_customer_id",
            ("_msdyn_invoicecustomerid_value", "msdyn_invoicecustomerid"),
        ),  # fmt: skip
        SettableField(
            "fulfillmentStrategy",
            ValueKind.TEXT,
            "fulfillment_strategy",
            ("msdyn_fulfillmentstrategy",),
        ),  # fmt: skip
        SettableField("salesOrigin", ValueKind.TEXT, "sales_origin", ("msdyn_salesorderorigin",)),
        SettableField("readyToSync", ValueKind.FLAG, "ready_to_sync", _READY),
        SettableField(
            "requestedDeliveryDate",
            ValueKind.DATE,
            "requested_delivery_date",
            ("requestdeliveryby",),
        ),  # fmt: skip
    ),
    AssociatedEntity.ORDER_LINE: (
        SettableField("company", ValueKind.TEXT, "company", _COMPANY),
        SettableField("shippingSite", ValueKind.TEXT, "shipping_site", _SITE),
        SettableField("shippingWarehouse", ValueKind.TEXT, "shipping_warehouse", _WAREHOUSE),
        SettableField(
            "fulfillmentSource",
            ValueKind.TEXT,
            "fulfillment_source",
            ("_msdyn_fulfillmentsource_value", "msdyn_fulfillmentsource"),
        ),  # fmt: skip
        SettableField("unitPrice", ValueKind.MONEY, "unit_price", ("priceperunit",)),
        SettableField("discount", ValueKind.MONEY, "discount", ("manualdiscountamount",)),
        SettableField("readyToSync", ValueKind.FLAG, "ready_to_sync", _READY),
    ),
    AssociatedEntity.FULFILLMENT_ORDER: (
        SettableField("shippingWarehouse", ValueKind.TEXT, "shipping_warehouse", _WAREHOUSE),
    ),
    # A fulfillment order line only records what its fulfillment order ships for an order
    # line; its product and quantity come from that line, so nothing on it is policy-settable.
    AssociatedEntity.FULFILLMENT_ORDER_LINE: (),
}

_TARGET_TYPES: dict[AssociatedEntity, type[Target]] = {
    AssociatedEntity.ORDER: SalesOrder,
    AssociatedEntity.ORDER_LINE: OrderLine,
    AssociatedEntity.FULFILLMENT_ORDER: FulfillmentOrder,
    AssociatedEntity.FULFILLMENT_ORDER_LINE: FulfillmentOrderLine,
}


def settable_fields(entity: AssociatedEntity) -> list[str]:
    """API names of the fields a set-value action may assign on this entity."""
    return [f.name for f in FIELDS[entity]]


def find_field(entity: AssociatedEntity, name: str) -> SettableField | None:
    """The settable field with this API name or Dataverse alias (any letter case), or None."""
    wanted = name.strip().lower()
    for candidate in FIELDS[entity]:
        if wanted in (candidate.name.lower(), *candidate.aliases):
            return candidate
    return None


def unknown_field_message(entity: AssociatedEntity, name: str) -> str:
    """Why a field name is refused: it is not settable on the entity, and which ones are."""
    allowed = ", ".join(settable_fields(entity)) or "none"
    return f"{name!r} cannot be set on {entity.value} records (settable: {allowed})"


def check_set_value(entity: AssociatedEntity, set_value: SetValue) -> str | None:
    """None when the action can assign its value on this entity, else the reason."""
    settable = find_field(entity, set_value.field)
    if settable is None:
        return unknown_field_message(entity, set_value.field)
    return settable.problem(set_value.value)


def assign(target_model: Target, entity: AssociatedEntity, set_value: SetValue) -> Coerced:
    """Write the action's value onto the record and return it as assigned.

    Raises InvalidDefinition when the action does not fit the entity (a stored policy is
    validated when published, so this means it was not).
    """
    if not isinstance(target_model, _TARGET_TYPES[entity]):
        kind = type(target_model).__name__
        raise InvalidDefinition(
            [Problem("entity", f"{kind} records are not {entity.value} records")]
        )
    reason = check_set_value(entity, set_value)
    settable = find_field(entity, set_value.field)
    if reason is not None or settable is None:
        raise InvalidDefinition([Problem(set_value.field, reason or "not settable")])
    value = settable.coerce(set_value.value)
    setattr(target_model, settable.attribute, value)
    return value


def _text(value: SetValueLiteral) -> Coerced:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected non-empty text, got {value!r}")
    if len(value) > _MAX_TEXT:
        raise ValueError(f"text longer than {_MAX_TEXT} characters")
    return value.strip()


def _flag(value: SetValueLiteral) -> Coerced:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"expected true or false, got {value!r}")


def _money(value: SetValueLiteral) -> Coerced:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a non-negative number, got {value!r}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"expected a non-negative number, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"expected a non-negative number, got {value!r}")
    return amount


def _date(value: SetValueLiteral) -> Coerced:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass  # reported below with the same message as a non-text value
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


_COERCERS: dict[ValueKind, Callable[[SetValueLiteral], Coerced]] = {
    ValueKind.TEXT: _text,
    ValueKind.FLAG: _flag,
    ValueKind.MONEY: _money,
    ValueKind.DATE: _date,
}
