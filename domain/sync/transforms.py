"""Named pure transforms for sync columns, and the Prospect-to-cash discount and freight tax rules.

Sales keeps a line's discount per line; F&O keeps it per unit (`LineDiscountAmount`) and puts the
rounding remainder in the line's sales charges (`FixedPriceCharges`): quantity 3 and $10.00 give
$3.33 per unit and a -$0.01 charge, and 3 x $3.33 - (-$0.01) gives $10.00 back. Header-level tax
from F&O (such as tax on freight) reaches Sales as a write-in product line named "Freight Tax".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from domain.filters import FilterValue
from domain.money import round_money

Transform = Callable[[FilterValue, Mapping[str, FilterValue]], FilterValue]

FREIGHT_TAX_PRODUCT = "Freight Tax"
# Fields the transforms read beside the column's own value: Dataverse (Sales) and F&O names.
SALES_QUANTITY = "quantity"
SALES_CURRENCY = ("msdyn_isocurrencycode", "order/msdyn_isocurrencycode")
FO_QUANTITY = "OrderedSalesQuantity"
FO_CHARGES = "FixedPriceCharges"
FO_CURRENCY = ("CurrencyCode",)
FO_HEADER_TAX = "FreightTaxAmount"


class TransformError(ValueError):
    """A transform that cannot compute its value from the record it was given."""


def split_line_discount(
    discount: Decimal, quantity: Decimal, currency: str
) -> tuple[Decimal, Decimal]:
    """A per-line discount -> (per-unit discount, sales charge holding the rounding remainder)."""
    if quantity <= 0:
        raise TransformError(f"quantity must be positive to split a discount, got {quantity}")
    per_unit = round_money(discount / quantity, currency)
    charge = round_money(per_unit * quantity - discount, currency)
    return per_unit, charge


def join_line_discount(
    per_unit: Decimal, quantity: Decimal, charge: Decimal, currency: str
) -> Decimal:
    """Per-unit discount and remainder charge -> the per-line discount Sales keeps."""
    return round_money(per_unit * quantity - charge, currency)


def discount_per_unit(value: FilterValue, record: Mapping[str, FilterValue]) -> FilterValue:
    """Sales per-line discount -> F&O per-unit `LineDiscountAmount`."""
    if value is None:
        return None
    per_unit, _ = split_line_discount(
        _decimal(value, "discount"),
        _number(record, SALES_QUANTITY),
        _currency(record, SALES_CURRENCY),
    )
    return per_unit


def discount_charge(value: FilterValue, record: Mapping[str, FilterValue]) -> FilterValue:
    """Sales per-line discount -> F&O sales charge holding the rounding remainder."""
    if value is None:
        return None
    _, charge = split_line_discount(
        _decimal(value, "discount"),
        _number(record, SALES_QUANTITY),
        _currency(record, SALES_CURRENCY),
    )
    return charge


def discount_per_line(value: FilterValue, record: Mapping[str, FilterValue]) -> FilterValue:
    """F&O per-unit `LineDiscountAmount` (with its remainder charge) -> Sales per-line discount."""
    if value is None:
        return None
    charge = record.get(FO_CHARGES)
    return join_line_discount(
        _decimal(value, "discount"),
        _number(record, FO_QUANTITY),
        Decimal(0) if charge is None else _decimal(charge, FO_CHARGES),
        _currency(record, FO_CURRENCY),
    )


def freight_tax_line(header: Mapping[str, FilterValue]) -> dict[str, FilterValue] | None:
    """The write-in "Freight Tax" Sales line for an F&O header's header-level tax, if any."""
    amount = header.get(FO_HEADER_TAX)
    if amount is None:
        return None
    tax = round_money(_decimal(amount, FO_HEADER_TAX), _currency(header, FO_CURRENCY))
    if tax == 0:
        return None
    return write_in_tax_line(header.get("SalesOrderNumber"), tax)


def write_in_tax_line(order_number: FilterValue, tax: Decimal) -> dict[str, FilterValue]:
    """A Dataverse order line for a header tax: a write-in "Freight Tax" product priced at it."""
    return {
        "salesorderid.msdyn_salesordernumber": order_number,
        "isproductoverridden": True,
        "productdescription": FREIGHT_TAX_PRODUCT,
        "quantity": Decimal(1),
        "priceperunit": tax,
        "ispriceoverridden": True,
        "manualdiscountamount": Decimal(0),
        "tax": Decimal(0),
        "baseamount": tax,
        "extendedamount": tax,
    }


TRANSFORMS: Mapping[str, Transform] = {
    "discount_per_unit": discount_per_unit,
    "discount_charge": discount_charge,
    "discount_per_line": discount_per_line,
}


def _decimal(value: FilterValue, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise TransformError(f"{name} must be a decimal amount, got {value!r}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise TransformError(f"{name} must be a decimal amount, got {value!r}") from None


def _number(record: Mapping[str, FilterValue], field: str) -> Decimal:
    if record.get(field) is None:
        raise TransformError(f"the record has no {field}")
    return _decimal(record[field], field)


def _currency(record: Mapping[str, FilterValue], fields: tuple[str, ...]) -> str:
    for field in fields:
        value = record.get(field)
        if isinstance(value, str) and value:
            return value
    raise TransformError(f"the record has no currency (one of {', '.join(fields)})")
