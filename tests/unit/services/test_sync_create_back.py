"""Prospect-to-cash "Sales to Fin and Ops": an activated Sales order becomes one hub order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.storage.memory_table import MemoryTableService
from adapters.storage.sync import (
    SYNC_TABLES,
    TableSyncCursors,
    TableSyncLinks,
    TableSyncMapStore,
    TableSyncStatusStore,
)
from domain.filters import FilterValue
from domain.orders.model import ProcessingStatus, SalesOrder
from domain.sync.maps import load_maps
from domain.sync.placement import LINE_FIELDS, ORDER_FIELDS
from domain.sync.prospect_to_cash import SALES_PROCESSING_STATUS
from services.orders.commands import OrderLineInput, PlaceOrder
from services.orders.intake import order_id_for, place_order
from services.orders.ports import ErrorKind, OrderQuery
from services.sync import maps_admin
from services.sync.context import SyncContext
from services.sync.inbound import Change, apply_change, poll
from services.sync.outbound import sync_order
from tests.support.hub import Hub, make_hub
from tests.unit.services.sync_fakes import FakeEndpoint

MAPS_DIR = Path(__file__).resolve().parents[3] / "sync" / "maps"
ORDERS, LINES = "salesorders", "salesorderdetails"
HEADER_MAP = "Sales Orders (Sales to Fin and Ops) - Direct: OrderHeader"
LINE_MAP = "Sales Orders (Sales to Fin and Ops) - Direct: OrderLine"
DRAFT, ACTIVE = SALES_PROCESSING_STATUS["Draft"], SALES_PROCESSING_STATUS["Active"]
GUID = "8f14e45f-ceea-467f-a0e5-0a1b2c3d4e5f"


@dataclass
class World:
    hub: Hub
    sales: FakeEndpoint
    fno: FakeEndpoint
    context: SyncContext

    def sales_order(
        self, number: str = "ORD-01001", status: int = DRAFT, guid: str = GUID, **header: Any
    ) -> dict[str, FilterValue]:
        """A Sales user's order with two product lines and one write-in; returns its key."""
        fields: dict[str, FilterValue] = {
            "salesorderid": guid, "ordernumber": number, "customerid.accountnumber": "US-001",
            "transactioncurrencyid.isocurrencycode": "USD", "msdyn_processingstatus": status,
            "shipto_line1": "1 Main St", "shipto_city": "Seattle",
            "shipto_country": "United States", "emailaddress": "ada@example.com", **header,
        }  # fmt: skip
        self.sales.create(ORDERS, fields)
        lines = [
            {"productid.productnumber": "1000", "quantity": Decimal(3),
             "priceperunit": Decimal("10.00"), "manualdiscountamount": Decimal("1.00")},
            {"productid.productnumber": None, "isproductoverridden": True,
             "productdescription": "Gift wrap", "quantity": Decimal(1),
             "priceperunit": Decimal("2.00")},
            {"productid.productnumber": "1001", "quantity": Decimal(1),
             "priceperunit": Decimal("25.50"), "description": "Speaker"},
        ]  # fmt: skip
        for sequence, line in enumerate(lines, start=1):
            self.sales.create(
                LINES,
                {
                    "salesorderdetailid": f"{guid[:-4]}{sequence:04d}",
                    "salesorderid.salesorderid": guid, "salesorderid.ordernumber": number,
                    "sequencenumber": sequence, "uomid.name": "Each",
                    "isproductoverridden": False, **line,
                },
            )  # fmt: skip
        return {"salesorderid": guid}

    def activate(self, key: dict[str, FilterValue]) -> str:
        return self.sales.edit(ORDERS, key, msdyn_processingstatus=ACTIVE)

    def orders(self, channel: str = "sales") -> list[str]:
        page = self.hub.engine.orders.list(OrderQuery(channel=channel), None, 50)
        return [summary.order_id for summary in page.orders]

    def order(self, order_id: str) -> SalesOrder:
        loaded = self.hub.engine.orders.get(order_id)
        assert loaded is not None
        return loaded.order


@pytest.fixture
def world() -> World:
    hub = make_hub()
    tables = MemoryTableService()
    tables.create_tables(SYNC_TABLES)
    store = TableSyncMapStore(tables.table("SyncMaps"))
    files = [(p.name, p.read_text()) for p in sorted(MAPS_DIR.glob("*.json"))]
    maps_admin.seed_maps(store, load_maps(files), hub.clock.now())
    sales, fno = FakeEndpoint(), FakeEndpoint()
    context = SyncContext(
        engine=hub.engine, maps=store, links=TableSyncLinks(tables.table("SyncLinks")),
        status=TableSyncStatusStore(tables.table("SyncStatus")),
        cursors=TableSyncCursors(tables.table("SyncCursors")),
        endpoints={"sales": sales, "fno": fno}.get,
    )  # fmt: skip
    return World(hub, sales, fno, context)


def test_an_activated_order_becomes_one_hub_order_with_its_product_lines(world: World):
    key = world.sales_order()
    world.activate(key)

    tally = poll(world.context, "sales")

    assert world.orders() == [order_id_for("sales", GUID)]
    order = world.order(order_id_for("sales", GUID))
    assert (order.channel, order.external_order_id, order.order_number) == (
        "sales", GUID, "ORD-01001",
    )  # fmt: skip
    assert (order.customer_id, order.invoice_customer_id, order.currency) == (
        "US-001", "US-001", "USD",
    )  # fmt: skip
    assert (order.ship_to.line1, order.ship_to.city, order.ship_to.country) == (
        "1 Main St", "Seattle", "US",
    )  # fmt: skip
    assert order.ship_to.email == "ada@example.com"
    assert order.bill_to is None  # nothing but the value map's default country
    assert order.customer_externally_maintained
    assert order.invoice_customer_externally_maintained
    assert [
        (line.product_id, line.quantity, line.unit, line.unit_price, line.discount)
        for line in order.lines
    ] == [
        ("1000", Decimal(3), "ea", Decimal("10.00"), Decimal("1.00")),
        ("1001", Decimal(1), "ea", Decimal("25.50"), Decimal(0)),
    ]  # the write-in stays in Sales
    assert [line.external_line_id for line in order.lines] == [
        f"{GUID[:-4]}0001", f"{GUID[:-4]}0003",
    ]  # fmt: skip
    assert tally.counts[HEADER_MAP].synced == 1
    # The write-in is skipped reading the order's lines, and again as the line map's change.
    assert (tally.counts[LINE_MAP].synced, tally.counts[LINE_MAP].skipped) == (2, 2)
    link = world.context.links.find(HEADER_MAP, key)
    assert link is not None
    assert (link.record_id, link.origin) == (order.order_id, "sales")
    line_link = world.context.links.find(LINE_MAP, {"salesorderdetailid": f"{GUID[:-4]}0003"})
    assert line_link is not None
    assert line_link.record_id == f"{order.order_id}/{order.lines[1].line_id}"
    assert world.sales.writes[-1][0] == "create"  # nothing was written to Sales


def test_a_draft_order_waits_until_it_is_activated(world: World):
    key = world.sales_order()
    tally = poll(world.context, "sales")
    assert world.orders() == []
    assert tally.counts[HEADER_MAP].skipped == 1

    version = world.activate(key)
    apply_change(world.context, Change("sales", ORDERS, key, version))
    assert world.orders() == [order_id_for("sales", GUID)]


def test_a_second_poll_or_notification_creates_nothing_and_later_changes_come_back(
    world: World,
):
    key = world.sales_order()
    version = world.activate(key)
    poll(world.context, "sales")
    [order_id] = world.orders()

    again = poll(world.context, "sales")
    apply_change(world.context, Change("sales", ORDERS, key, version))
    assert world.orders() == [order_id]
    assert all(counts.synced == 0 for counts in again.counts.values())
    assert len(world.order(order_id).lines) == 2

    # Linked: a later change to the Sales order is applied to the hub's order.
    world.sales.edit(ORDERS, key, shipto_city="Redmond")
    poll(world.context, "sales")
    assert world.order(order_id).ship_to.city == "Redmond"
    assert world.orders() == [order_id]


def test_a_sales_order_the_hub_created_never_comes_back_as_a_new_order(world: World):
    body = {
        "channel": "web", "externalOrderId": "W-1", "customerId": "US-001", "currency": "USD",
        "shipTo": {"city": "Seattle", "country": "US"},
        "lines": [{"productId": "1000", "quantity": 1, "unitPrice": "10.00"}],
    }  # fmt: skip
    order_id = place_order(PlaceOrder.model_validate(body), world.hub.engine).order_id

    def confirmed(order: SalesOrder) -> bool:
        order.order_number, order.processing_status = "SO-7", ProcessingStatus.CONFIRMED
        order.totals_calculated = True
        order.customer_externally_maintained = True
        order.invoice_customer_externally_maintained = True
        return True

    world.context.update_order(order_id, [confirmed])
    sync_order(world.context, order_id)  # "Fin and Ops to Sales" creates the Sales order
    [created] = [fields for kind, entity, fields in world.sales.writes if entity == ORDERS]
    assert created["ordernumber"] == "SO-7"
    record = world.sales.find(ORDERS, {"ordernumber": "SO-7"})
    assert record is not None
    # Even looking activated, the hub's own Sales order is no new order.
    version = world.sales.edit(ORDERS, record.key, msdyn_processingstatus=ACTIVE)

    poll(world.context, "sales")
    tally = apply_change(world.context, Change("sales", ORDERS, record.key, version))
    assert world.orders() == []
    assert world.orders("web") == [order_id]
    assert tally.counts[HEADER_MAP].skipped == 1


def test_a_created_back_order_goes_on_to_fno_and_back_to_the_same_sales_order(world: World):
    key = world.sales_order(number="ORD-01002")
    world.activate(key)
    poll(world.context, "sales")
    [order_id] = world.orders()

    def ready_then_confirmed(order: SalesOrder) -> bool:
        """The seed's assignment policies, then F&O's confirmation and totals."""
        order.company, order.ready_to_sync = "usmf", True
        for line in order.lines:
            line.company, line.shipping_site, line.shipping_warehouse = "usmf", "1", "11"
            line.ready_to_sync = True
        order.processing_status = ProcessingStatus.CONFIRMED
        order.totals_calculated = True
        return True

    world.context.update_order(order_id, [ready_then_confirmed])
    sync_order(world.context, order_id)
    headers = [f for kind, e, f in world.fno.writes if e == "CDS sales order headers"]
    assert [h["SalesOrderNumber"] for h in headers] == ["ORD-01002"]
    # "Fin and Ops to Sales" finds the Sales order by its number: no second Sales order.
    assert [kind for kind, entity, _ in world.sales.writes if entity == ORDERS] == [
        "create", "update",
    ]  # fmt: skip
    record = world.sales.get(ORDERS, key)
    assert record is not None
    assert record.fields["msdyn_processingstatus"] == SALES_PROCESSING_STATUS["Confirmed"]
    assert len(world.sales.rows[LINES]) == 3  # the lines were found by number and sequence


def test_an_order_the_hub_cannot_take_records_a_sync_error_and_creates_nothing(world: World):
    key = world.sales_order(**{"customerid.accountnumber": None})
    world.activate(key)

    tally = poll(world.context, "sales")

    assert world.orders() == []
    assert tally.counts[HEADER_MAP].failed == 1
    assert world.context.links.find(HEADER_MAP, key) is None
    status = world.context.status.get(HEADER_MAP)
    assert status.failed == 1
    assert status.last_error is not None
    assert "customerId: Field required" in status.last_error
    [error] = world.hub.engine.errors.list(ErrorKind.SYNC, None, None, 10).errors
    assert "customerId" in error.message
    assert error.details == {"map": HEADER_MAP, "record": GUID}


def test_an_unknown_sales_unit_is_a_sync_error_not_a_guess(world: World):
    key = world.sales_order()
    line_key = {"salesorderdetailid": f"{GUID[:-4]}0001"}
    world.sales.edit(LINES, line_key, **{"uomid.name": "Barrel"})
    world.activate(key)

    tally = poll(world.context, "sales")

    assert world.orders() == []
    assert "Barrel" in str(tally.counts[HEADER_MAP].last_error)


def test_the_fields_a_record_fills_are_place_order_fields():
    assert ORDER_FIELDS - set(PlaceOrder.model_fields) == set()
    assert LINE_FIELDS - set(OrderLineInput.model_fields) == set()
