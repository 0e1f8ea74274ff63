"""The sync engine over the shipped F&O maps: readiness, once-only sends, echoes, errors, owners."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.storage.memory_table import MemoryTableService
from adapters.storage.sync import (
    SYNC_TABLES,
    TableSyncCursors,
    TableSyncLinks,
    TableSyncMapStore,
    TableSyncStatusStore,
)
from domain.sync.maps import load_maps
from services.orders.commands import PlaceOrder
from services.orders.intake import place_order
from services.orders.ports import ErrorKind
from services.sync import maps_admin
from services.sync.context import SyncContext
from services.sync.inbound import Change, apply_change, poll
from services.sync.initial import initial_sync
from services.sync.origin import sent_by_hub
from services.sync.outbound import sync_order
from tests.support.hub import Hub, make_hub
from tests.unit.services.sync_fakes import FakeEndpoint

MAPS_DIR = Path(__file__).resolve().parents[3] / "sync" / "maps"
HEADERS, LINES = "CDS sales order headers", "CDS sales order lines"
HEADER_MAP = "CDS sales order headers (salesorders)"
LINE_MAP = "CDS sales order lines (salesorderdetails)"


@dataclass
class World:
    hub: Hub
    fno: FakeEndpoint
    context: SyncContext

    def place(self, external_id: str, *products: str, ready: bool = True) -> str:
        lines = [
            {"productId": p, "quantity": 3, "unitPrice": "10.00", "discount": "1.00"}
            for p in products or ("1000",)
        ]
        body = {
            "channel": "web", "externalOrderId": external_id, "customerId": "US-001",
            "currency": "USD", "shipTo": {"line1": "1 Main St", "city": "Seattle",
                                          "country": "US"}, "lines": lines,
        }  # fmt: skip
        order_id = place_order(PlaceOrder.model_validate(body), self.hub.engine).order_id
        if ready:
            self.assign(order_id)
        return order_id

    def assign(self, order_id: str) -> None:
        """What the assignment policies of the seed do: company, site, warehouse, ready."""

        def change(order) -> bool:  # type: ignore[no-untyped-def]
            order.company, order.invoice_customer_id, order.ready_to_sync = "usmf", "US-001", True
            for line in order.lines:
                line.company, line.shipping_site, line.shipping_warehouse = "usmf", "1", "11"
                line.ready_to_sync = True
            return True

        self.context.update_order(order_id, [change])

    def order(self, order_id: str):  # type: ignore[no-untyped-def]
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
    fno = FakeEndpoint()
    context = SyncContext(
        engine=hub.engine, maps=store, links=TableSyncLinks(tables.table("SyncLinks")),
        status=TableSyncStatusStore(tables.table("SyncStatus")),
        cursors=TableSyncCursors(tables.table("SyncCursors")),
        endpoints=lambda system: fno if system == "fno" else None,
    )  # fmt: skip
    return World(hub, fno, context)


def test_an_order_without_company_is_held_and_goes_once_the_policies_set_it(world: World):
    order_id = world.place("W-1", ready=False)
    tally = sync_order(world.context, order_id)
    assert world.fno.writes == []
    assert tally.counts[HEADER_MAP].skipped == 1
    stored = world.context.status.get(HEADER_MAP)  # a held order costs no status write
    assert (stored.synced, stored.skipped, stored.last_run_at) == (0, 0, None)

    world.assign(order_id)
    sync_order(world.context, order_id)
    kinds = [(kind, entity) for kind, entity, _ in world.fno.writes]
    assert kinds == [("create", HEADERS), ("create", LINES)]
    assert world.context.status.get(HEADER_MAP).synced == 1
    header = world.fno.writes[0][2]
    number = world.order(order_id).order_number
    assert number is not None
    assert header["SalesOrderNumber"] == number
    assert header["dataAreaId"] == "usmf"
    assert header["DeliveryAddressCity"] == "Seattle"
    line = world.fno.writes[1][2]
    assert line["LineDiscountAmount"] == Decimal("0.33")  # per unit; 1.00 over quantity 3
    assert line["FixedPriceCharges"] == Decimal("-0.01")  # the rounding remainder


def test_a_second_sync_without_change_sends_nothing(world: World):
    order_id = world.place("W-2")
    sync_order(world.context, order_id)
    before = len(world.fno.writes)
    tally = sync_order(world.context, order_id)
    assert len(world.fno.writes) == before
    assert tally.counts[HEADER_MAP].synced == 0


def test_an_order_with_no_line_ready_never_goes(world: World):
    order_id = world.place("W-3", ready=False)

    def header_only(order) -> bool:  # type: ignore[no-untyped-def]
        order.company, order.ready_to_sync = "usmf", True
        return True

    world.context.update_order(order_id, [header_only])
    sync_order(world.context, order_id)
    assert world.fno.writes == []


def test_a_change_made_in_fno_comes_back_once_and_is_not_echoed(world: World):
    order_id = world.place("W-4")
    sync_order(world.context, order_id)
    key = {"dataAreaId": "usmf", "SalesOrderNumber": world.order(order_id).order_number}
    version = world.fno.edit(HEADERS, key, DeliveryAddressCity="Redmond")
    writes = len(world.fno.writes)

    apply_change(world.context, Change("fno", HEADERS, key, version))
    assert world.order(order_id).ship_to.city == "Redmond"
    again = apply_change(world.context, Change("fno", HEADERS, key, version))
    assert again.counts[HEADER_MAP].echoes == 1
    sync_order(world.context, order_id)  # the OrderChanged the back-sync caused
    assert len(world.fno.writes) == writes  # nothing sent back to F&O


def test_a_notification_of_the_hubs_own_write_is_an_echo(world: World):
    order_id = world.place("W-5")
    sync_order(world.context, order_id)
    key = {"dataAreaId": "usmf", "SalesOrderNumber": world.order(order_id).order_number}
    record = world.fno.get(HEADERS, key)
    assert record is not None
    tally = apply_change(world.context, Change("fno", HEADERS, key, record.version))
    assert tally.counts[HEADER_MAP].echoes == 1


def test_a_failing_line_records_a_sync_error_while_the_others_sync(world: World):
    world.fno.refuse["ProductNumber=9999"] = "Item 9999 is not released to company usmf"
    order_id = world.place("W-6", "1000", "9999", "1001")
    tally = sync_order(world.context, order_id)
    assert tally.counts[LINE_MAP].synced == 2
    assert tally.counts[LINE_MAP].failed == 1
    lines = world.order(order_id).lines
    assert [line.sync_error for line in lines] == [
        None, "Item 9999 is not released to company usmf", None,
    ]  # fmt: skip
    errors = world.hub.engine.errors.list(ErrorKind.SYNC, order_id, None, 10).errors
    assert [e.message for e in errors] == ["Item 9999 is not released to company usmf"]

    del world.fno.refuse["ProductNumber=9999"]
    sync_order(world.context, order_id)
    assert [line.sync_error for line in world.order(order_id).lines] == [None, None, None]


def test_when_both_sides_changed_a_field_its_owner_wins(world: World):
    order_id = world.place("W-7")
    sync_order(world.context, order_id)
    key = {"dataAreaId": "usmf", "SalesOrderNumber": world.order(order_id).order_number}
    world.fno.edit(HEADERS, key, DeliveryAddressCity="Tacoma")

    def move(order) -> bool:  # type: ignore[no-untyped-def]
        order.ship_to.city = "Spokane"
        return True

    world.context.update_order(order_id, [move])
    tally = sync_order(world.context, order_id)
    assert tally.counts[HEADER_MAP].conflicts == 1
    record = world.fno.get(HEADERS, key)
    assert record is not None
    assert record.fields["DeliveryAddressCity"] == "Tacoma"


def test_polling_applies_changes_since_the_watermark(world: World):
    order_id = world.place("W-8")
    sync_order(world.context, order_id)
    key = {"dataAreaId": "usmf", "SalesOrderNumber": world.order(order_id).order_number}
    world.fno.edit(HEADERS, key, DeliveryAddressZipCode="98052")
    poll(world.context, "fno")
    assert world.order(order_id).ship_to.postal_code == "98052"
    assert world.context.cursors.get(HEADER_MAP) is not None


def test_initial_sync_copies_every_order_and_counts(world: World):
    ready = [world.place(f"I-{n}") for n in range(5)]
    held = world.place("I-held", ready=False)
    progress: list[int] = []
    counts = initial_sync(world.context, lambda c: progress.append(c.examined), page_size=2)
    assert (counts.examined, counts.synced, counts.skipped, counts.failed) == (6, 5, 1, 0)
    assert progress == [2, 4, 6]
    assert held not in {w[2].get("SalesOrderNumber") for w in world.fno.writes}
    again = initial_sync(world.context)
    assert (again.synced, again.skipped) == (0, 6)
    assert len(ready) == 5


def fno_command(external_id: str, reference: str | None = None) -> PlaceOrder:
    body = {
        "channel": "fno", "externalOrderId": external_id, "customerId": "US-001",
        "currency": "USD", "shipTo": {"country": "US"}, "customerOrderReference": reference,
        "lines": [{"productId": "1000", "quantity": 1, "unitPrice": "10.00"}],
    }  # fmt: skip
    return PlaceOrder.model_validate({k: v for k, v in body.items() if v is not None})


def test_an_fno_order_the_hub_synced_or_sent_is_known_as_the_hubs_own(world: World):
    synced = world.place("W-O1")
    sync_order(world.context, synced)
    number = world.order(synced).order_number
    sent = world.place("W-O2", ready=False)  # the order gateway names it in the reference

    assert sent_by_hub(world.context, fno_command(f"USMF/{number}")) is True
    assert sent_by_hub(world.context, fno_command("usmf/SO-000009", reference=sent)) is True
    assert sent_by_hub(world.context, fno_command("usmf/SO-000009", reference="PO-17")) is False
    assert sent_by_hub(world.context, fno_command("usmf/SO-000009")) is False


def test_a_held_order_does_not_look_up_any_target(world: World):
    asked: list[str] = []
    endpoints = world.context.endpoints
    world.context.endpoints = lambda system: asked.append(system) or endpoints(system)
    order_id = world.place("W-E1", ready=False)

    sync_order(world.context, order_id)

    assert asked == []  # no map's filter passed: no provider activation read


def test_an_idle_poll_counts_nothing_again(world: World):
    order_id = world.place("W-P1")
    sync_order(world.context, order_id)
    key = {"dataAreaId": "usmf", "SalesOrderNumber": world.order(order_id).order_number}
    world.fno.edit(HEADERS, key, DeliveryAddressZipCode="98052")
    poll(world.context, "fno")
    before = world.context.status.get(HEADER_MAP)

    world.hub.clock.advance(120)
    again = poll(world.context, "fno")  # re-reads the record on the watermark

    after = world.context.status.get(HEADER_MAP)
    assert (after.synced, after.echoes, after.skipped) == (
        before.synced, before.echoes, before.skipped)  # fmt: skip
    assert again.counts == {}
    assert world.order(order_id).ship_to.postal_code == "98052"


def test_an_order_its_flow_sends_to_fno_with_the_provider_action_is_not_created_twice(
    world: World,
):
    world.hub.flow("Send to F&O", [
        {"stepId": "send", "name": "Send", "action": "Send to Fulfillment", "provider": "fno",
         "inputEvents": ["New Order"]},
    ])  # fmt: skip
    order_id = world.place("W-F1")
    assert world.order(order_id).step_results  # the send step is scheduled

    tally = sync_order(world.context, order_id)

    assert world.fno.writes == []  # the F&O gateway creates it; dual-write would add a second
    assert tally.counts[HEADER_MAP].skipped == 1

    flows = world.hub.engine.flows
    reads: list[tuple[str, int]] = []
    read = flows.get_version
    flows.get_version = lambda *key: reads.append(key) or read(*key)  # type: ignore[method-assign]
    sync_order(world.context, order_id)
    assert world.fno.writes == []
    assert reads == []  # a published flow version never changes: read once per process
