"""FnoSyncEndpoint and the generic F&O client against the F&O simulator over loopback:
CDS sales order headers and lines, ETags, change notifications, unreleased items, polling."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from werkzeug.wrappers import Request, Response

from providers.fno.auth import ClientCredentialsTokens
from providers.fno.client import FnoClient
from providers.fno.sync import FnoSyncEndpoint
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from services.sync.ports import RemoteRecord, VersionConflict
from simulators.fno import CHANGES_SECRET_HEADER, FnoSimulator
from simulators.server import serve

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.sandbox.operations.dynamics.com"
CHANGES_SECRET = "chg-shared-secret"
HEADERS, LINES = "CDS sales order headers", "CDS sales order lines"


@dataclass
class Receiver:
    """A change-notification endpoint that keeps each request's headers and JSON body."""

    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        with self.lock:
            self.received.append((dict(request.headers), json.loads(request.get_data())))
        return Response(status=202)(environ, start_response)


@dataclass
class Clock:
    now: datetime = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Env:
    sim: FnoSimulator
    url: str
    http: httpx.Client
    client: FnoClient
    endpoint: FnoSyncEndpoint
    receiver: Receiver
    clock: Clock

    def notifications(self) -> list[dict[str, Any]]:
        assert self.sim.changes.wait()
        assert all(h[CHANGES_SECRET_HEADER] == CHANGES_SECRET for h, _ in self.receiver.received)
        return [body for _, body in self.receiver.received]

    def order(self, area: str = "usmf", **header: Any) -> RemoteRecord:
        fields = {"dataAreaId": area, "OrderingCustomerAccountNumber": "US-001", **header}
        return self.endpoint.create(HEADERS, fields)

    def line(self, order: RemoteRecord, sequence: int, **values: Any) -> RemoteRecord:
        fields = {
            **order.key, "LineCreationSequenceNumber": sequence, "ProductNumber": "ITEM-1",
            "ProductName": "Widget", "OrderedSalesQuantity": Decimal(2),
            "SalesPrice": Decimal("19.99"), "ShippingSiteId": "1", "ShippingWarehouseId": "11",
            **values,
        }  # fmt: skip
        return self.endpoint.create(LINES, fields)


@pytest.fixture
def env() -> Iterator[Env]:
    receiver = Receiver()
    changes_server, changes_thread = serve(receiver, 0)
    sim = FnoSimulator(
        TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT, page_size=2,
        changes_url=f"http://127.0.0.1:{changes_server.port}/changes",
        changes_secret=CHANGES_SECRET,
    )  # fmt: skip
    clock = Clock()
    sim.store.clock = clock
    server, thread = serve(sim, 0)
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(timeout=5) as http:
        tokens = ClientCredentialsTokens(
            http, authority=url, tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET,
            scope=f"{ENVIRONMENT}/.default",
        )  # fmt: skip
        client = FnoClient(http, url, tokens)
        yield Env(sim, url, http, client, FnoSyncEndpoint(client), receiver, clock)
    sim.changes.wait()
    for running, worker in ((server, thread), (changes_server, changes_thread)):
        running.shutdown()
        worker.join(timeout=5)


def test_an_order_created_through_the_cds_sets_is_the_order_of_salesorderheadersv2(
    env: Env,
) -> None:
    header = env.order("USMF", CustomersOrderReference="hub-1", DeliveryAddressCity="Seattle")
    assert header.key == {"dataAreaId": "usmf", "SalesOrderNumber": "SO-000001"}
    assert header.version is not None
    assert header.version.startswith('W/"')
    assert header.modified_at == env.clock.now
    first = env.line(header, 1)
    env.line(header, 2, ProductNumber="ITEM-2", OrderedSalesQuantity=Decimal("1.5"))

    assert first.key == {**header.key, "LineCreationSequenceNumber": 1}
    assert first.fields["SalesPrice"] == Decimal("19.99")
    assert first.fields["LineAmount"] == Decimal("39.98")
    v2 = env.client.get_order("usmf", "SO-000001")
    assert v2 is not None
    assert v2.delivery_address_city == "Seattle"
    lines = env.client.order_lines("usmf", "SO-000001")
    assert [(x.item_number, x.line_description, x.ordered_sales_quantity) for x in lines] == [
        ("ITEM-1", "Widget", Decimal(2)),
        ("ITEM-2", "Widget", Decimal("1.5")),
    ]
    again = env.endpoint.get(HEADERS, header.key)
    assert again is not None
    assert again.fields["OrderTotalAmount"] == Decimal("69.97")  # 39.98 + 1.5 x 19.99
    assert again.version != header.version  # the lines moved the order total


def test_the_discount_is_per_unit_with_the_remainder_in_the_charges(env: Env) -> None:
    header = env.order()
    line = env.line(
        header, 1, OrderedSalesQuantity=3, SalesPrice=Decimal(10),
        LineDiscountAmount=Decimal("3.33"), FixedPriceCharges=Decimal("-0.01"),
    )  # fmt: skip
    assert line.fields["LineAmount"] == Decimal("20.01")
    total = env.endpoint.get(HEADERS, header.key)
    assert total is not None
    assert total.fields["OrderTotalAmount"] == Decimal("20.0")


def test_find_matches_fields_in_any_company_and_get_misses_cleanly(env: Env) -> None:
    env.order(CustomersOrderReference="a")
    other = env.order("demf", CustomersOrderReference="O'Brien & Co #1")
    found = env.endpoint.find(HEADERS, {"CustomersOrderReference": "O'Brien & Co #1"})
    assert found is not None
    assert found.key == other.key
    assert env.endpoint.find(HEADERS, {"CustomersOrderReference": "nobody"}) is None
    assert env.endpoint.get(HEADERS, {"dataAreaId": "usmf", "SalesOrderNumber": "SO-9"}) is None
    assert env.endpoint.find(HEADERS, {"dataAreaId": "DEMF", **{"SalesOrderNumber": "SO-000001"}})


def test_keys_with_quotes_and_reserved_characters_address_the_record(env: Env) -> None:
    odd = "HUB'1 #2/3?"
    header = env.order(SalesOrderNumber=odd)
    assert header.key["SalesOrderNumber"] == odd
    line = env.line(header, 7)
    got = env.endpoint.get(LINES, {**header.key, "LineCreationSequenceNumber": "7"})
    assert got is not None
    assert got.key == line.key
    updated = env.endpoint.update(LINES, line.key, {"ProductName": "Renamed"})
    assert updated.fields["ProductName"] == "Renamed"


def test_an_update_on_a_stale_version_is_a_version_conflict(env: Env) -> None:
    header = env.order(Email="a@example.com")
    moved = env.endpoint.update(HEADERS, header.key, {"Email": "b@example.com"})
    assert moved.version != header.version
    with pytest.raises(VersionConflict):
        env.endpoint.update(
            HEADERS, header.key, {"Email": "c@example.com"}, if_version=header.version
        )
    current = env.endpoint.update(
        HEADERS, header.key, {"Email": "c@example.com", **header.key}, if_version=moved.version
    )
    assert current.fields["Email"] == "c@example.com"
    row = env.client.update_entity("CDSSalesOrderHeaders", header.key, {"Email": "d"}, "*")
    assert row["Email"] == "d"
    assert row["@odata.etag"] != current.version


def test_changes_made_anywhere_are_notified_with_key_and_version(env: Env) -> None:
    header = env.order()
    line = env.line(header, 1)
    assert [n["entity"] for n in env.notifications()] == [HEADERS, LINES, HEADERS]
    env.receiver.received.clear()

    patched = env.endpoint.update(LINES, line.key, {"OrderedSalesQuantity": 3})
    edit = env.http.patch(
        f"{env.url}/_admin/entities/CDSSalesOrderHeaders(dataAreaId='usmf',"
        f"SalesOrderNumber='SO-000001')",
        json={"DeliveryAddressCity": "Tacoma"},
    )  # fmt: skip
    assert edit.status_code == 200
    assert edit.json()["DeliveryAddressCity"] == "Tacoma"
    env.http.post(f"{env.url}/_admin/orders/usmf/SO-000001/confirm").raise_for_status()

    received = env.notifications()
    assert received[0] == {
        "entity": LINES, "key": line.key, "version": patched.version,
        "modifiedAt": "2026-05-01T12:00:00.000Z",
    }  # fmt: skip
    assert [n["entity"] for n in received] == [LINES, HEADERS, HEADERS, LINES, HEADERS]
    assert received[1]["key"] == header.key  # the quantity moved the order total
    final = env.endpoint.get(HEADERS, header.key)
    assert final is not None
    assert received[-1]["version"] == final.version
    assert final.fields["SalesOrderProcessingStatus"] == "Confirmed"
    statuses = env.http.get(f"{env.url}/_admin/changes").json()["value"]
    assert {s["deliveryStatus"] for s in statuses} == {202}


def test_an_unreleased_item_fails_permanently_and_names_the_item(env: Env) -> None:
    env.http.post(f"{env.url}/_admin/items/unreleased", json={"items": ["9999"]})
    header = env.order()
    with pytest.raises(PermanentProviderFailure, match="Item 9999 is not released to company usmf"):
        env.line(header, 1, ProductNumber="9999")
    env.line(header, 2)  # the other lines still go
    env.http.post(f"{env.url}/_admin/items/released", json={"items": ["9999"]})
    env.line(header, 1, ProductNumber="9999")
    assert len(env.sim.store.lines) == 2


def test_changed_since_returns_only_newer_rows_oldest_change_first(env: Env) -> None:
    first = env.order()
    env.clock.now += timedelta(minutes=1)
    second = env.order()
    env.clock.now += timedelta(minutes=1)
    env.endpoint.update(HEADERS, first.key, {"Email": "late@example.com"})
    since = datetime(2026, 5, 1, 12, 1, tzinfo=UTC)

    newer = env.endpoint.changed_since(HEADERS, since, 10)

    assert [r.key["SalesOrderNumber"] for r in newer] == ["SO-000002", "SO-000001"]
    assert [r.modified_at for r in newer] == [since, since + timedelta(minutes=1)]
    assert [r.key for r in env.endpoint.changed_since(HEADERS, None, 10)] == [second.key, first.key]
    assert len(env.endpoint.changed_since(HEADERS, None, 1)) == 1
    assert env.endpoint.changed_since(LINES, since, 10) == []


def test_query_entities_follows_next_links(env: Env) -> None:
    for _ in range(5):
        env.order()
    rows = env.client.query_entities("CDSSalesOrderHeaders", "dataAreaId eq 'usmf'")
    assert len(rows) == 5  # page size 2
    assert len(env.client.query_entities("CDSSalesOrderHeaders", None, top=3)) == 3


def test_throttling_is_transient_with_the_retry_delay(env: Env) -> None:
    header = env.order()
    fault = {"status": 429, "count": 1, "retryAfter": 7, "match": "CDSSalesOrderHeaders"}
    env.http.post(f"{env.url}/_admin/faults", json=fault)
    with pytest.raises(TransientProviderFailure) as caught:
        env.endpoint.get(HEADERS, header.key)
    assert caught.value.retry_after == 7.0
    assert env.endpoint.get(HEADERS, header.key) is not None


def test_unknown_entities_and_incomplete_keys_fail_permanently(env: Env) -> None:
    with pytest.raises(PermanentProviderFailure, match="no sync entity"):
        env.endpoint.get("salesorders", {})
    with pytest.raises(PermanentProviderFailure, match="LineCreationSequenceNumber"):
        env.endpoint.get(LINES, {"dataAreaId": "usmf", "SalesOrderNumber": "SO-1"})
