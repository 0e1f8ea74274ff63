from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from domain.filters import compile_filter
from domain.orders.model import Address, OrderLine, OrderType, SalesOrder
from domain.orders.states import OrderState
from domain.orders.view import line_record, order_record
from domain.sync.engine import apply_back, apply_forward, passes_filter
from domain.sync.maps import SyncMap, SyncMapError, load_maps

MAPS_DIR = Path(__file__).resolve().parents[3] / "sync" / "maps"
HEADERS = "CDS sales order headers (salesorders)"
LINES = "CDS sales order lines (salesorderdetails)"
# The IOM -> FinOps dual-write filters, verbatim from the provider setup page (spacing included).
HEADER_SYNC = (
    "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and "
    "msdyn_isreadytosync eq true and statuscode ne 100003"
)
LINE_SYNC = (
    "_msdyn_company_value ne null and _msdyn_shippingsite_value ne null and "
    "_msdyn_shippingwarehouse_value ne null and msdyn_isreadytosync eq true and "
    "         msdyn_statuscode ne 192350001"
)
AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def shipped() -> dict[str, SyncMap]:
    files = [
        (path.name, path.read_text(encoding="utf-8")) for path in sorted(MAPS_DIR.glob("*.json"))
    ]
    return {sync_map.name: sync_map for sync_map in load_maps(files)}


def make_line(**changes) -> OrderLine:
    fields = {
        "line_id": "0001", "line_number": 1, "product_id": "D0001", "quantity": Decimal("3"),
        "unit_price": Decimal("19.99"), "discount": Decimal("10.00"), "tax": Decimal("1.20"),
        "company": "USMF", "shipping_site": "1", "shipping_warehouse": "11",
        "ready_to_sync": True, "state": OrderState.IN_PROGRESS,
    }  # fmt: skip
    return OrderLine(**{**fields, **changes})


def make_order(*lines: OrderLine, **changes) -> SalesOrder:
    fields = {
        "order_id": "o-1", "channel": "web", "external_order_id": "ext-1",
        "customer_id": "US-001", "invoice_customer_id": "US-001", "company": "USMF",
        "currency": "USD", "ship_to": Address(city="Seattle", postal_code="98052", country="US"),
        "created_at": AT, "updated_at": AT, "ready_to_sync": True,
        "state": OrderState.IN_PROGRESS, "lines": list(lines) or [make_line()],
    }  # fmt: skip
    return SalesOrder(**{**fields, **changes})


def test_both_maps_load_enabled():
    maps = shipped()
    assert {HEADERS, LINES} <= set(maps)
    assert all(sync_map.enabled for sync_map in maps.values())
    assert maps[HEADERS].source_entity == "salesorders"
    assert maps[LINES].target_entity == "CDS sales order lines"


@pytest.mark.parametrize(("name", "expression"), [(HEADERS, HEADER_SYNC), (LINES, LINE_SYNC)])
def test_source_filters_are_the_seed_filters_verbatim(name, expression):
    source_filter = shipped()[name].source_filter
    assert source_filter == expression
    assert compile_filter(source_filter).fields


@pytest.mark.parametrize(
    ("changes", "syncs"),
    [
        ({}, True),
        ({"company": None}, False),
        ({"ready_to_sync": False}, False),
        ({"order_type": OrderType.SUBSCRIPTION}, False),
        ({"state": OrderState.COMPLETED}, False),
        ({"state": OrderState.ON_HOLD}, True),
    ],
)
def test_header_filter_against_order_records(changes, syncs):
    assert passes_filter(shipped()[HEADERS], order_record(make_order(**changes))) is syncs


@pytest.mark.parametrize(
    ("changes", "syncs"),
    [
        ({}, True),
        ({"company": None}, False),
        ({"shipping_site": None}, False),
        ({"shipping_warehouse": None}, False),
        ({"ready_to_sync": False}, False),
        ({"state": OrderState.CANCELED}, False),
        ({"state": OrderState.ON_HOLD}, False),
        ({"state": OrderState.FULFILLMENT_IN_PROCESS}, True),
    ],
)
def test_line_filter_against_line_records(changes, syncs):
    line = make_line(**changes)
    assert passes_filter(shipped()[LINES], line_record(make_order(line), line)) is syncs


def test_disabled_map_passes_nothing():
    sync_map = shipped()[HEADERS].model_copy(update={"enabled": False})
    assert not passes_filter(sync_map, order_record(make_order()))


@pytest.mark.parametrize(
    ("quantity", "discount", "per_unit", "charge"),
    [
        (Decimal("3"), Decimal("10.00"), Decimal("3.33"), Decimal("-0.01")),
        (Decimal("4"), Decimal("10.00"), Decimal("2.50"), Decimal("0.00")),
        (Decimal("7"), Decimal("100.00"), Decimal("14.29"), Decimal("0.03")),
    ],
)
def test_line_map_splits_the_discount_and_joins_it_back(quantity, discount, per_unit, charge):
    line = make_line(quantity=quantity, discount=discount)
    sync_map = shipped()[LINES]
    fo = apply_forward(sync_map, line_record(make_order(line), line))
    assert (fo["OrderedSalesQuantity"], fo["LineDiscountAmount"]) == (quantity, per_unit)
    assert fo["FixedPriceCharges"] == charge
    back = apply_back(sync_map, {**fo, "CurrencyCode": "USD"})
    assert back["manualdiscountamount"] == discount
    assert back["quantity"] == quantity


@pytest.mark.parametrize(
    ("status", "option"),
    [("None", 192350000), ("Backorder", 192350001), ("Delivered", 192350002),
     ("Invoiced", 192350003), ("Canceled", 192350004)],
)  # fmt: skip
def test_line_status_flows_back_only(status, option):
    sync_map = shipped()[LINES]
    assert apply_back(sync_map, {"SalesOrderLineStatus": status}) == {"msdyn_linestatus": option}
    assert apply_forward(sync_map, {"msdyn_linestatus": option}) == {}


@pytest.mark.parametrize(
    ("option", "status"),
    [(192350000, "Active"), (192350001, "Confirmed"), (192350002, "Picked"),
     (192350003, "PartiallyDelivered"), (192350004, "Delivered"), (192350005, "Invoiced"),
     (192350006, "PartiallyInvoiced"), (192350007, "Canceled"),
     (192350008, "DeliveredPartiallyInvoiced")],
)  # fmt: skip
def test_processing_status_both_ways(option, status):
    sync_map = shipped()[HEADERS]
    forward = apply_forward(sync_map, {"msdyn_processingstatus": option})
    assert forward == {"SalesOrderProcessingStatus": status}
    back = apply_back(sync_map, {"SalesOrderProcessingStatus": status})
    assert back == {"msdyn_processingstatus": option}


@pytest.mark.parametrize(
    ("country", "iso"),
    [(None, "US"), ("", "US"), ("United States", "US"), ("germany", "DE"), ("Türkiye", "TR"),
     ("columbia", "CO")],
)  # fmt: skip
def test_country_value_map_blank_is_us(country, iso):
    for name in (HEADERS, LINES):
        out = apply_forward(shipped()[name], {"shipto_country": country})
        assert out["DeliveryAddressCountryRegionISOCode"] == iso


def test_header_from_an_order_record_and_create_defaults_back():
    sync_map = shipped()[HEADERS]
    fo = apply_forward(sync_map, order_record(make_order()))
    assert fo["DeliveryAddressCity"] == "Seattle"
    assert fo["DeliveryAddressCountryRegionISOCode"] == "US"
    assert "OrderTotalAmount" not in fo  # totals flow from F&O only
    header = {"SalesOrderNumber": "000123", "OrderTotalAmount": Decimal("59.97")}
    created = apply_back(sync_map, header, creating=True)
    assert created["msdyn_ordertype"] == 192350000
    assert created["msdyn_isreadytosync"] is True
    assert created["totalamount"] == Decimal("59.97")
    assert "msdyn_ordertype" not in apply_back(sync_map, header)


def test_line_create_marks_the_price_overridden():
    created = apply_back(shipped()[LINES], {"SalesOrderNumber": "000123"}, creating=True)
    assert created["ispriceoverridden"] is True


def test_duplicate_map_names_are_rejected():
    text = (MAPS_DIR / "sales_order_headers.json").read_text(encoding="utf-8")
    with pytest.raises(SyncMapError, match="two maps"):
        load_maps([("a.json", text), ("b.json", text)])


def test_broken_json_names_the_file():
    with pytest.raises(SyncMapError, match="bad.json"):
        load_maps([("bad.json", "{")])


@pytest.mark.parametrize("currency", ["USD", "EUR", None])
def test_price_list_defaults_to_the_sample_list(currency):
    back = apply_back(shipped()[HEADERS], {"CurrencyCode": currency})
    assert back["pricelevelid.name"] == "CRM Service USA (sample)"
    assert back["transactioncurrencyid.isocurrencycode"] == currency
