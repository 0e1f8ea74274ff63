from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.filters import compile_filter
from domain.orders.model import (
    Address,
    FulfillmentOrder,
    FulfillmentOrderLine,
    OrderLine,
    OrderType,
    SalesOrder,
)
from domain.orders.states import OrderState
from domain.orders.view import (
    LINE_STATUS_CODES,
    ORDER_STATUS_CODES,
    fulfillment_order_line_record,
    fulfillment_order_record,
    line_record,
    order_record,
)

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


def make_line(**changes) -> OrderLine:
    fields = {
        "line_id": "0001", "line_number": 1, "product_id": "D0001", "quantity": Decimal("3"),
        "unit_price": Decimal("19.99"), "discount": Decimal("2.50"), "tax": Decimal("1.20"),
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


def header_syncs(order: SalesOrder) -> bool:
    return compile_filter(HEADER_SYNC).matches(order_record(order))


def line_syncs(line: OrderLine, **order_changes) -> bool:
    order = make_order(line, **order_changes)
    return compile_filter(LINE_SYNC).matches(line_record(order, line))


def test_the_seed_filters_are_kept_verbatim():
    assert "and          msdyn_statuscode ne 192350001" in LINE_SYNC


def test_a_ready_item_based_order_syncs():
    assert header_syncs(make_order())


@pytest.mark.parametrize(
    "changes",
    [
        {"order_type": OrderType.SUBSCRIPTION},
        {"company": None},
        {"ready_to_sync": False},
        {"state": OrderState.COMPLETED},
    ],
    ids=["subscription", "no-company", "not-ready", "invoiced"],
)
def test_each_header_clause_alone_stops_the_sync(changes):
    assert not header_syncs(make_order(**changes))


@pytest.mark.parametrize(
    "state",
    [s for s in OrderState if s != OrderState.COMPLETED],
)
def test_only_a_completed_order_reads_as_invoiced(state):
    assert header_syncs(make_order(state=state))


def test_a_ready_assigned_line_syncs():
    assert line_syncs(make_line())


@pytest.mark.parametrize(
    "changes",
    [
        {"company": None},
        {"shipping_site": None},
        {"shipping_warehouse": None},
        {"ready_to_sync": False},
        {"state": OrderState.CANCELED},
        {"state": OrderState.ON_HOLD},
    ],
    ids=["no-company", "no-site", "no-warehouse", "not-ready", "canceled", "on-hold"],
)
def test_each_line_clause_alone_stops_the_sync(changes):
    assert not line_syncs(make_line(**changes))


def test_the_line_filter_reads_the_line_not_its_order():
    assert line_syncs(make_line(), company=None, ready_to_sync=False)


def test_status_tables_cover_every_state():
    assert set(ORDER_STATUS_CODES) == set(OrderState) == set(LINE_STATUS_CODES)
    excluded = {s for s, code in LINE_STATUS_CODES.items() if code == 192350001}
    assert excluded == {OrderState.CANCELED, OrderState.ON_HOLD}
    others = [code for s, code in LINE_STATUS_CODES.items() if s not in excluded]
    assert len(set(others)) == len(others)


def test_the_order_record_has_api_and_dataverse_names():
    order = make_order(order_type=OrderType.SUBSCRIPTION, requested_delivery_date=date(2024, 6, 1))
    record = order_record(order)
    assert record["orderId"] == record["salesorderid"] == "o-1"
    assert record["company"] == record["_msdyn_company_value"] == "USMF"
    assert record["invoiceCustomerId"] == record["_msdyn_invoicecustomerid_value"] == "US-001"
    assert record["customerId"] == record["_customerid_value"] == "US-001"
    assert record["currency"] == record["msdyn_isocurrencycode"] == "USD"
    assert record["externalOrderId"] == record["msdyn_externalorderid"] == "ext-1"
    assert record["readyToSync"] is record["msdyn_isreadytosync"] is True
    assert (record["orderType"], record["msdyn_ordertype"]) == ("Subscription", 192350002)
    assert (record["state"], record["statecode"], record["statuscode"]) == (
        "In Progress",
        0,
        700970000,
    )
    assert record["shipTo/country"] == record["shipto_country"] == "US"
    assert record["shipTo/postalCode"] == record["shipto_postalcode"] == "98052"
    assert record["shipTo/city"] == record["shipto_city"] == "Seattle"
    assert (
        record["requestedDeliveryDate"]
        == record["requestdeliveryby"]
        == datetime(2024, 6, 1, tzinfo=UTC)
    )
    assert record["lineCount"] == 1
    assert "billTo/country" not in record
    assert record["billto_country"] is None


def test_money_and_quantities_are_exact_decimals():
    canceled = make_line(line_id="0002", line_number=2, state=OrderState.CANCELED)
    order = make_order(make_line(), canceled)
    line = line_record(order, order.lines[0])
    assert line["quantity"] == Decimal("3")
    assert isinstance(line["quantity"], Decimal)
    assert line["unitPrice"] == line["priceperunit"] == Decimal("19.99")
    assert line["discount"] == line["manualdiscountamount"] == Decimal("2.50")
    assert line["amount"] == Decimal("57.47")
    assert line["baseamount"] == Decimal("59.97")
    assert line["extendedamount"] == Decimal("58.67")
    # The canceled line does not count towards the total, but does towards the line count.
    assert (
        order_record(order)["totalAmount"] == order_record(order)["totalamount"] == Decimal("58.67")
    )
    assert order_record(order)["lineCount"] == 2
    assert compile_filter("amount gt 57.46m and amount lt 57.48").matches(line)


def test_the_line_record_has_api_and_dataverse_names():
    line = make_line(product_id=None, write_in_product="Gift wrap")
    record = line_record(make_order(line), line)
    assert record["lineId"] == record["salesorderdetailid"] == "0001"
    assert record["shippingSite"] == record["_msdyn_shippingsite_value"] == "1"
    assert record["shippingWarehouse"] == record["_msdyn_shippingwarehouse_value"] == "11"
    assert record["writeInProduct"] == record["productdescription"] == "Gift wrap"
    assert record["productId"] is record["_productid_value"] is None
    assert record["isproductoverridden"] is True
    assert (record["state"], record["msdyn_statuscode"]) == ("In Progress", 192350002)


def test_a_line_condition_can_read_its_order_under_order_prefix():
    line = make_line()
    condition = compile_filter(
        "order/currency eq 'USD' and order/msdyn_isreadytosync eq true "
        "and order/shipTo/country eq 'US' and quantity ge 3"
    )
    assert condition.matches(line_record(make_order(line), line))
    assert not condition.matches(line_record(make_order(line, currency="EUR"), line))
    assert not condition.matches(line_record(make_order(line, ready_to_sync=False), line))


def test_fulfillment_records_carry_their_parents():
    fo_line = FulfillmentOrderLine(line_id="0001", product_id="D0001", quantity=Decimal("2"))
    fo = FulfillmentOrder(
        fulfillment_order_id="fo-1", source_id="WH-11", shipping_warehouse="11", lines=[fo_line]
    )
    order = make_order(fulfillment_orders=[fo])
    fo_record = fulfillment_order_record(order, fo)
    assert fo_record["fulfillmentOrderId"] == fo_record["msdyn_fulfillmentorderid"] == "fo-1"
    assert fo_record["shippingWarehouse"] == "11"
    assert fo_record["lineCount"] == 1
    assert fo_record["order/company"] == "USMF"
    line = fulfillment_order_line_record(order, fo, fo_line)
    assert (line["lineId"], line["quantity"]) == ("0001", Decimal("2"))
    assert line["fulfillmentorder/sourceId"] == "WH-11"
    assert line["order/orderId"] == "o-1"
    assert compile_filter("fulfillmentorder/shippingWarehouse eq '11'").matches(line)


def test_ship_to_coordinates_are_in_the_view():
    order = make_order()
    order.ship_to.latitude, order.ship_to.longitude = 47.6, -122.3
    record = order_record(order)
    assert (record["shipTo/latitude"], record["shipTo/longitude"]) == (47.6, -122.3)
    assert compile_filter("shipTo/latitude gt 40.0").matches(record)
