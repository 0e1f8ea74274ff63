from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.orders.model import (
    Address,
    OrderLine,
    OrderTotals,
    OrderType,
    ProcessingStatus,
    SalesOrder,
)
from domain.orders.states import OrderState
from domain.purchasing.orders import (
    ApprovalStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from domain.purchasing.receipts import ProductReceipt, ReceiptLine
from domain.sync.engine import SyncError
from domain.sync.records import (
    PROCESSING_STATUS_CODES,
    apply_to_line,
    apply_to_order,
    freight_tax_record,
    line_sync_record,
    order_sync_record,
    purchase_line_record,
    purchase_order_record,
    receipt_line_record,
    receipt_record,
)
from domain.sync.transforms import freight_tax_line

D = Decimal
AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
MIDNIGHT = datetime(2024, 6, 3, tzinfo=UTC)
TOTALS = OrderTotals(
    lines_amount=D("59.97"), discount=D("10.00"), charges=D("0"), freight=D("5.00"),
    tax=D("2.00"), total=D("56.97"), calculated_at=AT, basis="b1",
)  # fmt: skip


def make_line(**changes) -> OrderLine:
    fields = {
        "line_id": "0001", "line_number": 1, "product_id": "D0001", "quantity": D("3"),
        "unit_price": D("19.99"), "discount": D("10.00"), "tax": D("1.20"), "unit": "pcs",
        "company": "USMF", "shipping_site": "1", "shipping_warehouse": "11",
        "ready_to_sync": True, "state": OrderState.IN_PROGRESS, "description": "Speaker",
    }  # fmt: skip
    return OrderLine(**{**fields, **changes})


def make_order(*lines: OrderLine, **changes) -> SalesOrder:
    fields = {
        "order_id": "o-1", "channel": "web", "external_order_id": "ext-1", "order_number": "SO-1",
        "customer_id": "US-001", "invoice_customer_id": "US-002", "company": "USMF",
        "currency": "USD", "created_at": AT, "updated_at": AT, "ready_to_sync": True,
        "ship_to": Address(city="Seattle", postal_code="98052", country="US", email="a@b.c"),
        "state": OrderState.IN_PROGRESS, "lines": list(lines) or [make_line()],
        "processing_status": ProcessingStatus.CONFIRMED, "freight_amount": D("5.00"),
        "header_tax": D("0.75"), "customer_externally_maintained": True,
        "invoice_customer_externally_maintained": True, "totals_calculated": True,
        "totals": TOTALS, "requested_delivery_date": date(2024, 6, 3),
    }  # fmt: skip
    return SalesOrder(**{**fields, **changes})


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("msdyn_company.cdm_companycode", "USMF"),
        ("msdyn_salesordernumber", "SO-1"),
        ("customerid.accountnumber", "US-001"),
        ("msdyn_invoicecustomerid.accountnumber", "US-002"),
        ("transactioncurrencyid.isocurrencycode", "USD"),
        ("msdyn_processingstatus", 192350001),
        ("freightamount", D("5.00")),
        ("msdyn_headertax", D("0.75")),
        ("totaltax", D("2.00")),
        ("discountamount", D("10.00")),
        ("totalamount", D("56.97")),
        ("msdyn_aretotalscalculated", True),
        ("msdyn_orderingcustomerisexternallymaintained", True),
        ("msdyn_invoicecustomerisexternallymaintained", True),
        ("emailaddress", "a@b.c"),
        ("shipto_city", "Seattle"),
        ("shipto_country", "US"),
        ("requestdeliveryby", MIDNIGHT),
        ("msdyn_ordertype", 192350000),  # the view's columns are kept
        ("orderNumber", "SO-1"),
    ],
)
def test_order_sync_record_columns(column, expected):
    assert order_sync_record(make_order())[column] == expected


def test_order_without_totals_or_status_reads_blank_and_the_view_total():
    record = order_sync_record(make_order(totals=None, processing_status=None))
    assert record["msdyn_processingstatus"] is None
    assert record["totaltax"] is None
    assert record["discountamount"] is None
    # lines less discount, line tax, then freight and header tax: the parts totals will sum
    expected = D("3") * D("19.99") - D("10.00") + D("1.20") + D("5.00") + D("0.75")
    assert record["totalamount"] == expected


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("msdyn_company.cdm_companycode", "USMF"),
        ("salesorderid.msdyn_salesordernumber", "SO-1"),
        ("sequencenumber", 1),
        ("productid.msdyn_productnumber", "D0001"),
        ("description", "Speaker"),
        ("uomid.msdyn_symbol", "pcs"),
        ("msdyn_shippingsite.msdyn_siteid", "1"),
        ("msdyn_shippingwarehouse.msdyn_warehouseidentifier", "11"),
        ("msdyn_linestatus", 192350001),
        ("msdyn_linecharges", D("0")),
        ("msdyn_isocurrencycode", "USD"),
        ("manualdiscountamount", D("10.00")),
        ("order/msdyn_aretotalscalculated", True),
        ("order/msdyn_processingstatus", 192350001),
    ],
)
def test_line_sync_record_columns(column, expected):
    order = make_order()
    assert line_sync_record(order, order.lines[0])[column] == expected


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, 192350001),
        ({"quantity_shipped": D("3")}, 192350002),
        ({"quantity_shipped": D("3"), "quantity_invoiced": D("3")}, 192350003),
        ({"state": OrderState.CANCELED}, 192350004),
        ({"quantity_canceled": D("3")}, 192350004),
        ({"quantity_shipped": D("1")}, 192350001),
    ],
)
def test_line_status_follows_quantities(changes, status):
    line = make_line(**changes)
    assert line_sync_record(make_order(line), line)["msdyn_linestatus"] == status


def test_processing_status_codes_cover_every_status():
    assert set(PROCESSING_STATUS_CODES) == set(ProcessingStatus)
    assert sorted(PROCESSING_STATUS_CODES.values()) == list(range(192350000, 192350009))


ORDER_BACK = [
    ("msdyn_company.cdm_companycode", "USPI", lambda o: o.company, "USPI"),
    ("msdyn_salesordernumber", "000777", lambda o: o.order_number, "000777"),
    ("customerid.accountnumber", "US-009", lambda o: o.customer_id, "US-009"),
    ("msdyn_invoicecustomerid.accountnumber", None, lambda o: o.invoice_customer_id, None),
    ("transactioncurrencyid.isocurrencycode", "eur", lambda o: o.currency, "EUR"),
    ("msdyn_processingstatus", 192350005, lambda o: o.processing_status, "Invoiced"),
    ("msdyn_ordertype", 192350002, lambda o: o.order_type, OrderType.SUBSCRIPTION),
    ("msdyn_isreadytosync", False, lambda o: o.ready_to_sync, False),
    ("msdyn_headertax", "7.5", lambda o: o.header_tax, D("7.5")),
    ("msdyn_headertax", None, lambda o: o.header_tax, D(0)),
    ("totalamount", D("60.00"), lambda o: o.totals.total, D("60.00")),
    ("requestdeliveryby", "2024-07-01T00:00:00Z", lambda o: o.requested_delivery_date,
     date(2024, 7, 1)),
    ("shipto_city", "Redmond", lambda o: o.ship_to.city, "Redmond"),
    ("shipto_country", "germany", lambda o: o.ship_to.country, "DE"),
    ("shipto_country", "ca", lambda o: o.ship_to.country, "CA"),
    ("billto_line1", "1 Main St", lambda o: o.bill_to.line1, "1 Main St"),
    ("msdyn_orderingcustomerisexternallymaintained", False,
     lambda o: o.customer_externally_maintained, False),
    ("msdyn_customersorderreference", "PO-55", lambda o: o.customer_order_reference, "PO-55"),
]  # fmt: skip


@pytest.mark.parametrize(("column", "value", "read", "expected"), ORDER_BACK)
def test_apply_to_order_sets_the_field_and_reports_it(column, value, read, expected):
    order = make_order()
    assert apply_to_order(order, {column: value}) == [column]
    assert read(order) == expected


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("freightamount", "7.5"),  # read-only: F&O's charges total includes line charges
        ("msdyn_processingstatus", "192350001"),
        ("shipto_country", "United States"),
        ("requestdeliveryby", MIDNIGHT),
        ("customerid.accountnumber", None),  # a blank cannot clear a required field
        ("msdyn_aretotalscalculated", False),  # read-only: the totals job sets it
        ("msdyn_linestatus", 192350003),  # not a header column
        ("pricelevelid.name", "CRM Service USA (sample)"),  # unknown to the hub
        ("msdyn_isocurrencycode", "usd"),
    ],
)
def test_apply_to_order_reports_no_change_for_equal_or_ignored_values(column, value):
    order = make_order()
    before = order.model_dump()
    assert apply_to_order(order, {column: value}) == []
    assert order.model_dump() == before


def test_apply_to_order_lists_only_the_columns_that_changed():
    order = make_order()
    fields = {"shipto_city": "Seattle", "shipto_postalcode": "98101", "freightamount": D("5")}
    assert apply_to_order(order, fields) == ["shipto_postalcode"]


def test_bill_to_is_created_when_an_address_arrives():
    order = make_order(bill_to=None)
    assert apply_to_order(order, {"billto_city": None}) == []
    assert order.bill_to is None
    assert apply_to_order(order, {"billto_city": "Paris", "billto_country": "france"}) == [
        "billto_city",
        "billto_country",
    ]
    assert order.bill_to == Address(city="Paris", country="FR")


def test_totals_are_written_only_once_calculated():
    order = make_order(totals=None)
    assert apply_to_order(order, {"totalamount": D("1"), "totaltax": D("2")}) == []
    assert order.totals is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"msdyn_processingstatus": 5}, "msdyn_processingstatus"),
        ({"msdyn_ordertype": 1}, "msdyn_ordertype"),
        ({"msdyn_headertax": "five"}, "amount"),
        ({"requestdeliveryby": "tomorrow"}, "date"),
        ({"msdyn_isreadytosync": "maybe"}, "yes/no"),
    ],
)
def test_apply_to_order_rejects_values_it_cannot_read(fields, message):
    with pytest.raises(SyncError, match=message):
        apply_to_order(make_order(), fields)


LINE_BACK = [
    ("quantity", "4", lambda line: line.quantity, D("4")),
    ("priceperunit", D("18.00"), lambda line: line.unit_price, D("18.00")),
    ("manualdiscountamount", None, lambda line: line.discount, D(0)),
    ("msdyn_linecharges", D("-0.01"), lambda line: line.charges, D("-0.01")),
    ("tax", "0.5", lambda line: line.tax, D("0.5")),
    ("description", "Big speaker", lambda line: line.description, "Big speaker"),
    ("productid.msdyn_productnumber", "D0002", lambda line: line.product_id, "D0002"),
    ("uomid.msdyn_symbol", "ea", lambda line: line.unit, "ea"),
    ("msdyn_shippingwarehouse.msdyn_warehouseidentifier", "12",
     lambda line: line.shipping_warehouse, "12"),
    ("requestdeliveryby", MIDNIGHT, lambda line: line.requested_delivery_date, date(2024, 6, 3)),
]  # fmt: skip


@pytest.mark.parametrize(("column", "value", "read", "expected"), LINE_BACK)
def test_apply_to_line_sets_the_field_and_reports_it(column, value, read, expected):
    line = make_line()
    assert apply_to_line(line, {column: value}) == [column]
    assert read(line) == expected


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("quantity", "3.000"),
        ("quantity", None),
        ("manualdiscountamount", 10),
        ("sequencenumber", 7),  # identity: read-only
        ("salesorderid.msdyn_salesordernumber", "X"),
        ("msdyn_linestatus", 192350003),  # F&O status -> quantities is not the sync's job
        ("extendedamount", D("1")),
    ],
)
def test_apply_to_line_reports_no_change_for_equal_or_ignored_values(column, value):
    line = make_line()
    assert apply_to_line(line, {column: value}) == []
    assert line == make_line()


@pytest.mark.parametrize(
    ("header_tax", "currency", "price"),
    [(D("4.75"), "USD", D("4.75")), (D("1.005"), "USD", D("1.01")), (D("12"), "JPY", D("12"))],
)
def test_freight_tax_record_is_a_write_in_line(header_tax, currency, price):
    record = freight_tax_record(make_order(header_tax=header_tax, currency=currency))
    assert record is not None
    assert record["productdescription"] == "Freight Tax"
    assert record["isproductoverridden"] is True
    assert (record["quantity"], record["priceperunit"], record["tax"]) == (D(1), price, D(0))
    assert record["salesorderid.msdyn_salesordernumber"] == "SO-1"
    assert record["msdyn_isocurrencycode"] == currency
    assert "productid.msdyn_productnumber" not in record
    assert record["order/msdyn_aretotalscalculated"] is True


@pytest.mark.parametrize("header_tax", [D("0"), D("0.004")])
def test_no_header_tax_no_freight_tax_record(header_tax):
    assert freight_tax_record(make_order(header_tax=header_tax)) is None


def test_freight_tax_record_and_the_fno_line_agree():
    record = freight_tax_record(make_order(header_tax=D("4.75")))
    header = {"SalesOrderNumber": "SO-1", "CurrencyCode": "USD", "FreightTaxAmount": D("4.75")}
    line = freight_tax_line(header)
    assert line is not None
    assert record is not None
    assert {k: record[k] for k in line} == line


def make_purchase_order(**changes) -> PurchaseOrder:
    line = PurchaseOrderLine(
        line_number=1, product_id="M0001", quantity=D("10"), warehouse="11",
        expected_date=date(2024, 6, 3), unit_price=D("2.50"), received_quantity=D("4"),
        status=PurchaseOrderStatus.BACKORDER,
    )  # fmt: skip
    fields = {
        "purchase_order_id": "PO-1", "name": "00000123", "vendor_id": "V-1", "company": "USMF",
        "receiving_site": "1", "receiving_warehouse": "11", "currency": "USD",
        "status": PurchaseOrderStatus.BACKORDER, "approval_status": ApprovalStatus.CONFIRMED,
        "lines": [line], "created_at": AT, "updated_at": AT,
    }  # fmt: skip
    return PurchaseOrder(**{**fields, **changes})


def test_purchase_records_carry_the_dataverse_columns():
    order = make_purchase_order()
    header = purchase_order_record(order)
    assert header["msdyn_name"] == "00000123"
    assert header["msdyn_vendor.accountnumber"] == "V-1"
    assert header["msdyn_purchaseorderstatus"] == 192350001
    assert header["msdyn_documentapprovalstatus"] == 192350006
    line = purchase_line_record(order, order.lines[0])
    assert line["msdyn_purchaseorder.msdyn_name"] == "00000123"
    assert (line["msdyn_lineorder"], line["msdyn_quantity"]) == (1, D("10"))
    assert line["msdyn_remainingquantity"] == D("6")
    assert line["msdyn_requesteddeliverydate"] == MIDNIGHT
    assert line["msdyn_purchaseorderlinestatus"] == 192350001


def test_receipt_records_carry_the_dataverse_columns():
    order = make_purchase_order()
    received = ReceiptLine(
        line_number=1, product_id="M0001", warehouse="11", quantity=D("4"), close_line=False,
        ordered_quantity=D("10"), received_quantity=D("4"), remaining_quantity=D("6"),
    )  # fmt: skip
    receipt = ProductReceipt(
        receipt_id="R-1", purchase_order_id="PO-1", receipt_date=date(2024, 6, 3),
        lines=[received], posted_at=AT,
    )  # fmt: skip
    header = receipt_record(order, receipt)
    assert (header["msdyn_name"], header["msdyn_datereceived"]) == ("R-1", MIDNIGHT)
    line = receipt_line_record(order, receipt, received)
    assert line["msdyn_purchaseorderproduct.msdyn_lineorder"] == 1
    assert line["msdyn_quantity"] == D("4")
    assert line["msdyn_purchaseorderreceipt.msdyn_name"] == "R-1"
