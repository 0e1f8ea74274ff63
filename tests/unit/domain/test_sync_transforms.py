from decimal import Decimal

import pytest

from domain.sync.transforms import (
    FREIGHT_TAX_PRODUCT,
    TransformError,
    discount_charge,
    discount_per_line,
    discount_per_unit,
    freight_tax_line,
    join_line_discount,
    split_line_discount,
)

D = Decimal

# (quantity, per-line discount in Sales, per-unit discount in F&O, remainder sales charge)
DISCOUNTS = [
    (D("3"), D("10.00"), D("3.33"), D("-0.01")),  # the Prospect-to-cash example
    (D("3"), D("9.00"), D("3.00"), D("0.00")),  # divides evenly
    (D("1"), D("7.49"), D("7.49"), D("0.00")),
    (D("2"), D("0.01"), D("0.01"), D("0.01")),  # 0.005 rounds half up
    (D("3"), D("20.00"), D("6.67"), D("0.01")),
    (D("4"), D("10.00"), D("2.50"), D("0.00")),
    (D("6"), D("10.00"), D("1.67"), D("0.02")),
    (D("7"), D("100.00"), D("14.29"), D("0.03")),
    (D("7"), D("1.00"), D("0.14"), D("-0.02")),
    (D("12"), D("5.00"), D("0.42"), D("0.04")),
    (D("2.5"), D("1.00"), D("0.40"), D("0.00")),  # fractional quantity
    (D("3"), D("0.00"), D("0.00"), D("0.00")),
]


@pytest.mark.parametrize(("quantity", "discount", "per_unit", "charge"), DISCOUNTS)
def test_split_per_line_discount_into_per_unit_and_charge(quantity, discount, per_unit, charge):
    assert split_line_discount(discount, quantity, "USD") == (per_unit, charge)


@pytest.mark.parametrize(("quantity", "discount", "per_unit", "charge"), DISCOUNTS)
def test_join_gives_the_per_line_discount_back_exactly(quantity, discount, per_unit, charge):
    assert join_line_discount(per_unit, quantity, charge, "USD") == discount


@pytest.mark.parametrize(("quantity", "discount", "per_unit", "charge"), DISCOUNTS)
def test_column_transforms_round_trip(quantity, discount, per_unit, charge):
    sales = {"quantity": quantity, "order/msdyn_isocurrencycode": "USD"}
    assert discount_per_unit(discount, sales) == per_unit
    assert discount_charge(discount, sales) == charge
    fo = {"OrderedSalesQuantity": quantity, "FixedPriceCharges": charge, "CurrencyCode": "USD"}
    assert discount_per_line(per_unit, fo) == discount


@pytest.mark.parametrize(
    ("currency", "quantity", "discount", "per_unit", "charge"),
    [
        ("JPY", D("3"), D("1000"), D("333"), D("-1")),
        ("KWD", D("3"), D("10.000"), D("3.333"), D("-0.001")),
        ("EUR", D("8"), D("1.00"), D("0.13"), D("0.04")),
    ],
)
def test_split_rounds_to_the_currency(currency, quantity, discount, per_unit, charge):
    assert split_line_discount(discount, quantity, currency) == (per_unit, charge)
    assert join_line_discount(per_unit, quantity, charge, currency) == discount


def test_missing_charge_counts_as_zero():
    fo = {"OrderedSalesQuantity": D("4"), "CurrencyCode": "USD"}
    assert discount_per_line(D("2.50"), fo) == D("10.00")


@pytest.mark.parametrize("transform", [discount_per_unit, discount_charge, discount_per_line])
def test_blank_discount_stays_blank(transform):
    assert transform(None, {}) is None


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"msdyn_isocurrencycode": "USD"}, "quantity"),
        ({"quantity": D("3")}, "currency"),
        ({"quantity": D("0"), "msdyn_isocurrencycode": "USD"}, "positive"),
        ({"quantity": "three", "msdyn_isocurrencycode": "USD"}, "decimal amount"),
    ],
)
def test_discount_needs_quantity_and_currency(record, message):
    with pytest.raises(TransformError, match=message):
        discount_per_unit(D("10.00"), record)


def test_bool_is_not_an_amount():
    with pytest.raises(TransformError, match="decimal amount"):
        discount_per_unit(True, {"quantity": D("1"), "msdyn_isocurrencycode": "USD"})


@pytest.mark.parametrize(
    ("amount", "currency", "price"),
    [(D("4.75"), "USD", D("4.75")), (D("1.005"), "USD", D("1.01")), (12, "JPY", D("12"))],
)
def test_freight_tax_becomes_a_write_in_line(amount, currency, price):
    header = {"SalesOrderNumber": "000123", "CurrencyCode": currency, "FreightTaxAmount": amount}
    line = freight_tax_line(header)
    assert line is not None
    assert line["productdescription"] == FREIGHT_TAX_PRODUCT == "Freight Tax"
    assert line["isproductoverridden"] is True
    assert line["salesorderid.msdyn_salesordernumber"] == "000123"
    assert (line["quantity"], line["priceperunit"], line["extendedamount"]) == (D(1), price, price)
    assert line["tax"] == D(0)


@pytest.mark.parametrize("amount", [None, D("0"), D("0.001")])
def test_no_freight_tax_no_line(amount):
    header = {"SalesOrderNumber": "000123", "CurrencyCode": "USD", "FreightTaxAmount": amount}
    assert freight_tax_line(header) is None
