"""Order change tracking: revisions, OrderChanged through the outbox, stale totals on change."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from domain.orders.model import SalesOrder
from domain.orders.totals import calculate_totals, totals_current
from services.errors import ConcurrencyConflict, EntityAlreadyExists
from services.orders import operations
from services.orders.changes import (
    ORDER_CHANGED,
    QUEUE,
    ChangeTrackingOrders,
    OrderChanged,
    changed_order,
    read_order_changed,
)
from services.orders.commands import PlaceOrder
from services.orders.engine import Catalog
from services.orders.intake import place_order
from services.orders.ports import OrderQuery
from services.outbox import OutboxMessage
from tests.support.hub import Hub, make_hub

D = Decimal


@pytest.fixture
def hub() -> Hub:
    hub = make_hub()
    hub.engine.orders = ChangeTrackingOrders(hub.engine.orders, hub.clock)
    return hub


def place(hub: Hub, external_id: str = "1") -> str:
    body = {
        "channel": "web", "externalOrderId": external_id, "customerId": "C-1",
        "currency": "USD", "shipTo": {"country": "US"},
        "lines": [{"productId": "A", "quantity": 2, "unitPrice": "10.00"}],
    }  # fmt: skip
    return place_order(PlaceOrder.model_validate(body), hub.engine).order_id


def announced(hub: Hub) -> list[dict[str, object]]:
    return [json.loads(body) for queue, body in hub.publisher.sent if queue == QUEUE]


def change(hub: Hub, order_id: str, edit) -> SalesOrder:
    def apply(order: SalesOrder, _catalog: Catalog) -> list[OutboxMessage]:
        edit(order)
        return []

    return operations.change_order(hub.engine, order_id, apply)


def calculate(order: SalesOrder) -> None:
    order.totals = calculate_totals(order, order.updated_at)
    order.totals_calculated = True


def test_a_new_order_is_revision_one_and_announced(hub):
    order_id = place(hub)

    assert operations.get_order(hub.engine, order_id).revision == 1
    [message] = announced(hub)
    assert message["id"] == f"order-changed:{order_id}:1"
    assert message["type"] == ORDER_CHANGED
    assert message["data"] == {"orderId": order_id, "revision": 1}
    assert message["occurredAt"] == hub.clock.now().isoformat()


def test_every_save_counts_a_revision_and_announces_it(hub):
    order_id = place(hub)
    hub.clock.advance(5)

    change(hub, order_id, lambda o: setattr(o, "company", "USMF"))
    change(hub, order_id, lambda o: setattr(o, "ready_to_sync", True))

    assert operations.get_order(hub.engine, order_id).revision == 3
    assert [m["data"] for m in announced(hub)] == [
        {"orderId": order_id, "revision": r} for r in (1, 2, 3)
    ]
    [body] = [b for q, b in hub.publisher.sent if q == QUEUE][-1:]
    assert read_order_changed(body) == OrderChanged(order_id=order_id, revision=3)


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", '{"type": "Other", "data": {"orderId": "o", "revision": 1}}',
     '{"type": "OrderChanged", "data": {"orderId": "", "revision": 1}}',
     '{"type": "OrderChanged", "data": {"orderId": "o"}}', '{"type": "OrderChanged"}'],
)  # fmt: skip
def test_a_malformed_announcement_is_a_value_error(body):
    with pytest.raises(ValueError, match="OrderChanged|Expecting value|validation error"):
        read_order_changed(body)


def test_the_announcement_commits_with_the_change_and_its_own_messages(hub):
    order_id = place(hub)
    loaded = hub.engine.orders.get(order_id)
    own = OutboxMessage(
        message_id="mine", queue="other-queue", type="Mine", data={}, occurred_at=hub.clock.now()
    )

    records = hub.engine.orders.save(loaded, [own])

    assert [r.message.message_id for r in records] == ["mine", f"order-changed:{order_id}:2"]
    assert loaded.order.revision == 2


def test_a_change_to_the_totals_inputs_marks_them_stale(hub):
    order_id = place(hub)
    change(hub, order_id, calculate)
    assert totals_current(operations.get_order(hub.engine, order_id))

    change(hub, order_id, lambda o: setattr(o, "ready_to_sync", True))
    assert operations.get_order(hub.engine, order_id).totals_calculated  # not an input

    change(hub, order_id, lambda o: setattr(o.lines[0], "unit_price", D("11.00")))
    stored = operations.get_order(hub.engine, order_id)
    assert (stored.totals_calculated, stored.totals is not None) == (False, True)


def test_a_conflicting_save_stores_and_announces_nothing(hub):
    order_id = place(hub)
    first, second = hub.engine.orders.get(order_id), hub.engine.orders.get(order_id)
    hub.engine.orders.save(first, [])
    sent = len(hub.publisher.sent)

    with pytest.raises(ConcurrencyConflict):
        hub.engine.orders.save(second, [])

    assert second.order.revision == 1  # as loaded: a retry with it does not skip a revision
    assert len(hub.publisher.sent) == sent
    assert operations.get_order(hub.engine, order_id).revision == 2


def test_adding_an_existing_order_fails_without_counting_a_revision(hub):
    order_id = place(hub)
    again = operations.get_order(hub.engine, order_id).model_copy(update={"revision": 0})

    with pytest.raises(EntityAlreadyExists):
        hub.engine.orders.add(again, [])

    assert again.revision == 0
    assert len(announced(hub)) == 1


def test_reads_are_the_inner_repository_s(hub):
    order_id = place(hub)

    assert [e.event for e in hub.engine.orders.timeline(order_id)] == ["New Order"]
    page = hub.engine.orders.list(OrderQuery(), None, 10)
    assert [s.order_id for s in page.orders] == [order_id]
    assert hub.engine.orders.get("nope") is None


def test_only_the_latest_revisions_message_is_taken(hub):
    order_id = place(hub)
    first = json.dumps(announced(hub)[0])
    loaded = changed_order(hub.engine.orders, first)
    assert loaded is not None
    assert loaded.order.revision == 1

    change(hub, order_id, lambda o: setattr(o, "company", "USMF"))
    second = json.dumps(announced(hub)[1])

    assert changed_order(hub.engine.orders, first) is None  # superseded: revision 2 will follow
    latest = changed_order(hub.engine.orders, second)
    assert latest is not None
    assert latest.order.company == "USMF"


def test_a_malformed_or_orphan_message_is_not_taken(hub):
    orphan = {"type": ORDER_CHANGED, "data": {"orderId": "gone", "revision": 1}}
    assert changed_order(hub.engine.orders, json.dumps(orphan)) is None
    assert changed_order(hub.engine.orders, "not json") is None
    assert changed_order(hub.engine.orders, json.dumps({"type": "Other", "data": {}})) is None
