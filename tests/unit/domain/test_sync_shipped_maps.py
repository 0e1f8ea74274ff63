from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from domain.filters import compile_filter
from domain.orders.model import Address, OrderLine, OrderTotals, ProcessingStatus, SalesOrder
from domain.orders.states import OrderState
from domain.purchasing.orders import (
    ApprovalStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from domain.sync.engine import SyncError, apply_back, apply_forward, map_back, map_forward
from domain.sync.maps import SyncMap, load_maps
from domain.sync.prospect_to_cash import (
    DEFAULT_PRICE_LIST,
    SALES_PROCESSING_STATUS,
    SALES_STATUS_OF,
    SALES_UNITS,
)
from domain.sync.records import (
    COUNTRY_NAMES,
    PROCESSING_STATUS_CODES,
    apply_to_line,
    apply_to_order,
    freight_tax_record,
    line_sync_record,
    order_sync_record,
    purchase_line_record,
    purchase_order_record,
)
from domain.sync.values import canonical

D = Decimal
MAPS_DIR = Path(__file__).resolve().parents[3] / "sync" / "maps"
AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
FO_HEADERS = "CDS sales order headers (salesorders)"
FO_LINES = "CDS sales order lines (salesorderdetails)"
PO_HEADERS = "Purchase order headers V2 (msdyn_purchaseorders)"
PO_LINES = "CDS purchase order lines (msdyn_purchaseorderproducts)"
RECEIPTS = "Product receipt headers (msdyn_purchaseorderreceipts)"
RECEIPT_LINES = "Product receipt lines (msdyn_purchaseorderreceiptproducts)"
TO_SALES = "Sales Orders (Fin and Ops to Sales) - Direct"
TO_HUB = "Sales Orders (Sales to Fin and Ops) - Direct"
SALES_HEADER, SALES_LINE = f"{TO_SALES}: OrderHeader", f"{TO_SALES}: OrderLine"
HUB_HEADER, HUB_LINE = f"{TO_HUB}: OrderHeader", f"{TO_HUB}: OrderLine"
EXPECTED = {
    FO_HEADERS: ("fno", "salesorders", "CDS sales order headers"),
    FO_LINES: ("fno", "salesorderdetails", "CDS sales order lines"),
    PO_HEADERS: ("fno", "msdyn_purchaseorders", "Purchase order headers V2"),
    PO_LINES: ("fno", "msdyn_purchaseorderproducts", "CDS purchase order lines"),
    RECEIPTS: ("fno", "msdyn_purchaseorderreceipts", "Product receipt headers"),
    RECEIPT_LINES: ("fno", "msdyn_purchaseorderreceiptproducts", "Product receipt lines"),
    SALES_HEADER: ("sales", "salesorders", "salesorders"),
    SALES_LINE: ("sales", "salesorderdetails", "salesorderdetails"),
    HUB_HEADER: ("sales", "salesorders", "salesorders"),
    HUB_LINE: ("sales", "salesorderdetails", "salesorderdetails"),
}


def shipped() -> dict[str, SyncMap]:
    files = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(MAPS_DIR.glob("*.json"))]
    return {sync_map.name: sync_map for sync_map in load_maps(files)}


MAPS = shipped()


def make_line(**changes) -> OrderLine:
    fields = {
        "line_id": "0001", "line_number": 1, "product_id": "D0001", "quantity": D("3"),
        "unit_price": D("19.99"), "discount": D("10.00"), "tax": D("1.20"), "unit": "ea",
        "company": "USMF", "shipping_site": "1", "shipping_warehouse": "11",
        "ready_to_sync": True, "state": OrderState.IN_PROGRESS, "description": "Speaker",
    }  # fmt: skip
    return OrderLine(**{**fields, **changes})


def make_order(*lines: OrderLine, **changes) -> SalesOrder:
    totals = OrderTotals(
        lines_amount=D("59.97"), discount=D("10"), charges=D("0"), freight=D("0"), tax=D("1.2"),
        total=D("51.17"), calculated_at=AT, basis="b",
    )  # fmt: skip
    fields = {
        "order_id": "o-1", "channel": "web", "external_order_id": "ext-1", "order_number": "SO-1",
        "customer_id": "US-001", "invoice_customer_id": "US-001", "company": "USMF",
        "currency": "USD", "created_at": AT, "updated_at": AT, "ready_to_sync": True,
        "ship_to": Address(line1="1 Main", city="Seattle", postal_code="98052", country="US"),
        "state": OrderState.IN_PROGRESS, "lines": list(lines) or [make_line()],
        "processing_status": ProcessingStatus.CONFIRMED, "totals_calculated": True,
        "customer_externally_maintained": True, "invoice_customer_externally_maintained": True,
        "totals": totals,
    }  # fmt: skip
    return SalesOrder(**{**fields, **changes})


def test_every_shipped_map_loads_with_its_systems_and_entities():
    assert {n: (m.target_system, m.source_entity, m.target_entity) for n, m in MAPS.items()} == (
        EXPECTED
    )
    assert all(m.enabled for m in MAPS.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_filters_compile_and_parents_exist(name):
    sync_map = MAPS[name]
    for expression in (sync_map.source_filter, sync_map.target_filter):
        if expression is not None:
            assert compile_filter(expression).fields
    assert sync_map.parent is None or sync_map.parent in MAPS


@pytest.mark.parametrize(
    ("name", "template", "task"),
    [(SALES_HEADER, TO_SALES, "OrderHeader"), (SALES_LINE, TO_SALES, "OrderLine"),
     (HUB_HEADER, TO_HUB, "OrderHeader"), (HUB_LINE, TO_HUB, "OrderLine")],
)  # fmt: skip
def test_prospect_to_cash_templates_and_tasks(name, template, task):
    assert (MAPS[name].template, MAPS[name].task) == (template, task)
    assert MAPS[name].create_back is (template == TO_HUB)


@pytest.mark.parametrize(
    ("changes", "syncs"),
    [
        ({}, True),
        ({"company": None}, False),
        ({"ready_to_sync": False}, False),
        ({"state": OrderState.COMPLETED}, False),
    ],
)
def test_fno_header_filter_on_sync_records(changes, syncs):
    assert compile_filter(MAPS[FO_HEADERS].source_filter).matches(
        order_sync_record(make_order(**changes))
    ) is syncs  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "syncs"),
    [({}, True), ({"shipping_site": None}, False), ({"state": OrderState.CANCELED}, False)],
)
def test_fno_line_filter_on_sync_records(changes, syncs):
    line = make_line(**changes)
    record = line_sync_record(make_order(line), line)
    assert compile_filter(MAPS[FO_LINES].source_filter).matches(record) is syncs


P2C_CASES = [
    ({}, True),
    ({"totals_calculated": False}, False),
    ({"customer_externally_maintained": False}, False),
    ({"invoice_customer_externally_maintained": False}, False),
    ({"processing_status": None}, False),
    ({"processing_status": ProcessingStatus.ACTIVE}, False),
    ({"processing_status": ProcessingStatus.PICKED}, True),
    ({"processing_status": ProcessingStatus.INVOICED}, True),
    ({"processing_status": ProcessingStatus.CANCELED}, True),
    ({"processing_status": ProcessingStatus.DELIVERED_PARTIALLY_INVOICED}, True),
]


@pytest.mark.parametrize(("changes", "syncs"), P2C_CASES)
def test_to_sales_needs_totals_external_customers_and_confirmation(changes, syncs):
    order = make_order(**changes)
    header = compile_filter(MAPS[SALES_HEADER].source_filter)
    line = compile_filter(MAPS[SALES_LINE].source_filter)
    assert header.matches(order_sync_record(order)) is syncs
    assert line.matches(line_sync_record(order, order.lines[0])) is syncs
    freight = freight_tax_record(order.model_copy(update={"header_tax": D("1")}))
    assert freight is not None
    assert line.matches(freight) is syncs


@pytest.mark.parametrize(
    ("label", "created"),
    [("Draft", False), ("Active", True), ("Confirmed", False), ("Cancelled", False)],
)
def test_only_activated_sales_orders_come_to_the_hub(label, created):
    record = {"ordernumber": "S-1", "msdyn_processingstatus": SALES_PROCESSING_STATUS[label]}
    assert compile_filter(MAPS[HUB_HEADER].target_filter).matches(record) is created


@pytest.mark.parametrize(("write_in", "created"), [(None, True), (False, True), (True, False)])
def test_write_in_sales_lines_never_create_hub_lines(write_in, created):
    record = {"sequencenumber": 1, "isproductoverridden": write_in}
    assert compile_filter(MAPS[HUB_LINE].target_filter).matches(record) is created


def test_sales_processing_status_values_are_the_hub_choice():
    assert list(SALES_PROCESSING_STATUS) == [
        "Draft", "Active", "Confirmed", "Packing Slip", "Invoiced", "Picked", "Partially Picked",
        "Partially Packed", "Shipped", "Partially Shipped", "Partially Invoiced", "Cancelled",
    ]  # fmt: skip
    assert list(SALES_PROCESSING_STATUS.values()) == list(range(192350000, 192350012))


@pytest.mark.parametrize("status", list(ProcessingStatus))
def test_processing_status_to_sales_and_to_fno(status):
    code = PROCESSING_STATUS_CODES[status]
    fno = MAPS[FO_HEADERS].value_map("processing_status")
    assert map_forward(fno, code) == status.value
    sales = MAPS[SALES_HEADER].value_map("processing_status")
    assert map_forward(sales, code) == SALES_PROCESSING_STATUS[SALES_STATUS_OF[status]]


def test_unknown_processing_status_is_an_error():
    with pytest.raises(SyncError, match="processing_status"):
        map_forward(MAPS[SALES_HEADER].value_map("processing_status"), 1)


@pytest.mark.parametrize(
    ("name", "value_map", "blank_forward", "blank_back"),
    [
        (FO_HEADERS, "country", "US", None),
        (SALES_HEADER, "country", "United States", "US"),
        (HUB_HEADER, "country", "United States", "US"),
        (SALES_HEADER, "price_list", DEFAULT_PRICE_LIST, None),
        (FO_HEADERS, "price_list", None, DEFAULT_PRICE_LIST),
        (PO_HEADERS, "purchase_order_status", None, 192350000),
        (PO_HEADERS, "document_approval_status", None, 192350000),
        (PO_LINES, "purchase_order_line_status", None, 192350000),
        (SALES_LINE, "unit", None, None),
    ],
)
def test_value_map_blank_defaults(name, value_map, blank_forward, blank_back):
    mapping = MAPS[name].value_map(value_map)
    for blank in (None, "", " "):
        assert map_forward(mapping, blank) == blank_forward
        assert map_back(mapping, blank) == blank_back


@pytest.mark.parametrize("currency", ["USD", "EUR", "JPY"])
def test_price_list_per_currency_defaults_to_the_sample_list(currency):
    out = apply_forward(MAPS[SALES_HEADER], {"transactioncurrencyid.isocurrencycode": currency})
    assert out["pricelevelid.name"] == "CRM Service USA (sample)"


def test_country_names_match_the_fno_maps():
    pairs = MAPS[FO_HEADERS].value_map("country").pairs
    assert {iso: name for name, iso in pairs} == COUNTRY_NAMES
    sales = MAPS[SALES_HEADER].value_map("country").pairs
    assert {iso for iso, _ in sales} == set(COUNTRY_NAMES)


@pytest.mark.parametrize(("symbol", "name"), sorted(SALES_UNITS.items()))
def test_unit_map_both_ways(symbol, name):
    for sync_map in (MAPS[SALES_LINE], MAPS[HUB_LINE]):
        assert map_forward(sync_map.value_map("unit"), symbol) == name
        assert map_back(sync_map.value_map("unit"), name) == symbol


def test_unknown_unit_is_a_sync_error_both_ways():
    with pytest.raises(SyncError, match="unit"):
        apply_forward(MAPS[SALES_LINE], {"uomid.msdyn_symbol": "furlong"})
    with pytest.raises(SyncError, match="unit"):
        apply_back(MAPS[HUB_LINE], {"uomid.name": "Furlong"})


def test_fno_maps_keep_unit_symbols_as_they_are():
    assert apply_forward(MAPS[FO_LINES], {"uomid.msdyn_symbol": "ea"}) == {"SalesUnitSymbol": "ea"}


def copy_back(forward_name, back_name, record, **extra):
    """Hub record -> target through one map, then back through another (or the same)."""
    target = apply_forward(MAPS[forward_name], record, creating=True)
    return target, apply_back(MAPS[back_name], {**target, **extra})


@pytest.mark.parametrize(
    ("forward", "back"), [(FO_HEADERS, FO_HEADERS), (SALES_HEADER, HUB_HEADER)]
)
def test_header_round_trip_changes_nothing_on_the_hub(forward, back):
    order = make_order(bill_to=Address(line1="9 Elm", city="Paris", country="FR"))
    target, hub = copy_back(forward, back, order_sync_record(order))
    assert hub  # something came back
    assert apply_to_order(order, hub) == []


@pytest.mark.parametrize(
    ("forward", "back", "extra"),
    [(FO_LINES, FO_LINES, {"CurrencyCode": "USD"}), (SALES_LINE, HUB_LINE, {})],
)
@pytest.mark.parametrize(
    ("quantity", "discount"), [(D("3"), D("10.00")), (D("4"), D("10.00")), (D("7"), D("1.00"))]
)
def test_line_round_trip_changes_nothing_on_the_hub(forward, back, extra, quantity, discount):
    line = make_line(quantity=quantity, discount=discount)
    order = make_order(line)
    target, hub = copy_back(forward, back, line_sync_record(order, line), **extra)
    assert hub["manualdiscountamount"] == discount
    assert apply_to_line(line, hub) == []


def test_sales_keeps_the_per_line_discount_as_it_is():
    line = make_line(quantity=D("3"), discount=D("10.00"))
    out = apply_forward(MAPS[SALES_LINE], line_sync_record(make_order(line), line))
    assert (out["manualdiscountamount"], out["quantity"], out["uomid.name"]) == (
        D("10.00"), D("3"), "Each",
    )  # fmt: skip


def test_sales_header_from_a_hub_order():
    out = apply_forward(MAPS[SALES_HEADER], order_sync_record(make_order()), creating=True)
    assert out["ordernumber"] == out["name"] == "SO-1"
    assert out["customerid.accountnumber"] == "US-001"
    assert out["msdyn_processingstatus"] == SALES_PROCESSING_STATUS["Confirmed"]
    assert out["shipto_country"] == "United States"
    assert out["statecode"] == 0
    assert out["msdyn_isexternallymaintained"] is True


def test_sales_order_creates_a_hub_order_with_external_customers():
    sales = {"ordernumber": "S-1", "customerid.accountnumber": "C-9", "shipto_country": ""}
    hub = apply_back(MAPS[HUB_HEADER], sales, creating=True)
    assert hub["msdyn_salesordernumber"] == "S-1"
    assert hub["customerid.accountnumber"] == hub["msdyn_invoicecustomerid.accountnumber"]
    assert hub["shipto_country"] == "US"
    assert hub["msdyn_orderingcustomerisexternallymaintained"] is True
    assert hub["msdyn_invoicecustomerisexternallymaintained"] is True
    assert hub["msdyn_ordertype"] == 192350000


def test_freight_tax_reaches_sales_as_a_write_in_line():
    record = freight_tax_record(make_order(header_tax=D("4.75")))
    assert record is not None
    out = apply_forward(MAPS[SALES_LINE], record, creating=True)
    assert out["productdescription"] == "Freight Tax"
    assert out["isproductoverridden"] is True
    assert (out["quantity"], out["priceperunit"], out["tax"]) == (D(1), D("4.75"), D(0))
    assert out["salesorderid.ordernumber"] == "SO-1"
    assert out["productid.productnumber"] is None
    assert out["uomid.name"] is None
    assert out["ispriceoverridden"] is True


def make_purchase_order() -> PurchaseOrder:
    line = PurchaseOrderLine(
        line_number=1, product_id="M0001", quantity=D("10"), warehouse="11", unit_price=D("2.5"),
        status=PurchaseOrderStatus.BACKORDER,
    )  # fmt: skip
    return PurchaseOrder(
        purchase_order_id="PO-1", name="00000123", vendor_id="V-1", company="USMF",
        receiving_site="1", receiving_warehouse="11", currency="USD", lines=[line],
        status=PurchaseOrderStatus.BACKORDER, approval_status=ApprovalStatus.CONFIRMED,
        created_at=AT, updated_at=AT,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "fno"),
    [(PurchaseOrderStatus.NONE, "None"), (PurchaseOrderStatus.BACKORDER, "Backorder"),
     (PurchaseOrderStatus.RECEIVED, "Received"), (PurchaseOrderStatus.INVOICED, "Invoiced"),
     (PurchaseOrderStatus.CANCELED, "Canceled")],
)  # fmt: skip
def test_purchase_statuses_flow_back_only(status, fno):
    order = make_purchase_order().model_copy(update={"status": status})
    record = purchase_order_record(order)
    back = apply_back(MAPS[PO_HEADERS], {"PurchaseOrderStatus": fno})
    assert back == {"msdyn_purchaseorderstatus": record["msdyn_purchaseorderstatus"]}
    assert "PurchaseOrderStatus" not in apply_forward(MAPS[PO_HEADERS], record)
    line_back = apply_back(MAPS[PO_LINES], {"PurchaseOrderLineStatus": fno})
    assert line_back == {"msdyn_purchaseorderlinestatus": record["msdyn_purchaseorderstatus"]}


@pytest.mark.parametrize(
    ("approval", "fno"),
    [(ApprovalStatus.DRAFT, "Draft"), (ApprovalStatus.IN_REVIEW, "InReview"),
     (ApprovalStatus.REJECTED, "Rejected"), (ApprovalStatus.APPROVED, "Approved"),
     (ApprovalStatus.IN_EXTERNAL_REVIEW, "InExternalReview"),
     (ApprovalStatus.FINALIZED, "Finalized"), (ApprovalStatus.CONFIRMED, "Confirmed")],
)  # fmt: skip
def test_document_approval_status_flows_back(approval, fno):
    closed = PurchaseOrderStatus.RECEIVED  # finalized needs a closed status
    order = make_purchase_order().model_copy(update={"approval_status": approval, "status": closed})
    expected = purchase_order_record(order)["msdyn_documentapprovalstatus"]
    back = apply_back(MAPS[PO_HEADERS], {"DocumentApprovalStatus": fno})
    assert back == {"msdyn_documentapprovalstatus": expected}


@pytest.mark.parametrize("name", [PO_HEADERS, PO_LINES])
def test_purchase_round_trip_gives_the_hub_values_back(name):
    order = make_purchase_order()
    record = (
        purchase_order_record(order)
        if name == PO_HEADERS
        else purchase_line_record(order, order.lines[0])
    )
    target = apply_forward(MAPS[name], record)
    back = apply_back(MAPS[name], target)
    assert back
    assert {k: canonical(v) for k, v in back.items()} == {k: canonical(record[k]) for k in back}


def test_receipts_only_flow_back():
    for name in (RECEIPTS, RECEIPT_LINES):
        assert not any(column.forward for column in MAPS[name].columns)
    back = apply_back(MAPS[RECEIPT_LINES], {"ReceivedPurchaseQuantity": D("4")})
    assert back == {"msdyn_quantity": D("4")}
