import json
from types import SimpleNamespace

import azure.functions as func
import pytest

from functions import purchasing as triggers
from tests.support.purchasing import CONFIRMED, make_purchasing, po_body, to_body


@pytest.fixture
def hub(monkeypatch):
    hub = make_purchasing()
    container = SimpleNamespace(purchasing=hub.purchasing)
    monkeypatch.setattr(triggers, "get_container", lambda: container)
    return hub


def call(trigger, method, path, body=None, params=None, **route_params):
    """Call a trigger as the host would: `body` is JSON-encoded unless it is already bytes."""
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    request = func.HttpRequest(
        method=method, url=f"http://localhost/api/{path}", body=raw,
        route_params=route_params, params=params or {},
    )  # fmt: skip
    response = trigger(request)
    text = response.get_body()
    return response, json.loads(text) if text else None


def create_po(body=None):
    response, order = call(
        triggers.create_purchase_order, "POST", "purchase-orders", body or po_body()
    )
    assert response.status_code == 201, order
    return order["purchaseOrderId"]


def confirm(po_id):
    response, order = call(
        triggers.mirror_purchase_order_status, "POST", "s", CONFIRMED, po_id=po_id
    )
    assert response.status_code == 200, order
    return order


def receipt(receipt_id="R-1", quantity="7", close=True):
    line = {"lineNumber": 1, "quantity": quantity, "closeLine": close}
    return {"receiptId": receipt_id, "lines": [line]}


# The acceptance case


def test_a_receipt_of_7_of_10_closing_the_line_posts_the_journal_row_and_shows_0_incoming(hub):
    po_id = create_po()
    confirm(po_id)
    _, before = call(triggers.get_incoming_supply, "GET", "i", product_id="P-1")
    assert before["totalRemaining"] == "10"

    response, posted = call(
        triggers.post_purchase_order_receipt, "POST", "r", receipt(), po_id=po_id
    )

    assert response.status_code == 201
    [entry] = posted["journal"]
    assert (entry["quantity"], entry["reason"], entry["productId"]) == (
        "3",
        "under-delivery",
        "P-1",
    )
    assert (entry["purchaseOrderId"], entry["lineNumber"]) == (po_id, 1)
    assert posted["lines"][0]["remainingQuantity"] == "0"
    _, incoming = call(triggers.get_incoming_supply, "GET", "i", product_id="P-1")
    assert incoming == {"productId": "P-1", "incoming": [], "totalRemaining": "0"}
    _, order = call(triggers.get_purchase_order, "GET", "p", po_id=po_id)
    line = order["lines"][0]
    assert (line["receivedQuantity"], line["writtenOffQuantity"], line["remainingQuantity"]) == (
        "7", "3", "0")  # fmt: skip
    assert [r["receiptId"] for r in order["receipts"]] == ["R-1"]
    assert [e.journal_id for e in hub.purchasing.journal.entries("P-1")] == [entry["journalId"]]


# Purchase orders


def test_create_is_201_with_location_and_a_draft(hub):
    response, order = call(triggers.create_purchase_order, "POST", "purchase-orders", po_body())

    assert response.headers["Location"] == (
        f"http://localhost/api/purchase-orders/{order['purchaseOrderId']}")  # fmt: skip
    assert (order["status"], order["approvalStatus"], order["stage"]) == ("none", "draft", "draft")
    assert order["receipts"] == []
    _, listed = call(triggers.list_purchase_orders, "GET", "purchase-orders")
    assert [o["purchaseOrderId"] for o in listed["purchaseOrders"]] == [order["purchaseOrderId"]]
    assert listed["continuation"] is None


def test_creating_again_with_the_same_id_is_200(hub):
    body = po_body(purchaseOrderId="PO-9")
    call(triggers.create_purchase_order, "POST", "purchase-orders", body)

    response, order = call(triggers.create_purchase_order, "POST", "purchase-orders", body)

    assert (response.status_code, order["purchaseOrderId"]) == (200, "PO-9")


@pytest.mark.parametrize("field", ["unitPrice", "discountAmount", "netAmount"])
def test_erp_owned_fields_are_400_naming_the_field(hub, field):
    po_id = create_po()
    confirm(po_id)
    lines = [{"lineNumber": 1, "productId": "P-1", "quantity": "10", field: "5"}]

    response, error = call(
        triggers.edit_purchase_order, "PUT", "p", po_body(lines=lines), po_id=po_id
    )

    assert response.status_code == 400
    assert error["error"]["field"] == f"lines.0.{field}"
    assert "owned by the ERP" in error["error"]["message"]
    response, _ = call(triggers.create_purchase_order, "POST", "p", po_body(lines=lines))
    assert response.status_code == 400


def test_edits_before_confirmation_are_409_with_the_reason(hub):
    po_id = create_po()

    response, error = call(triggers.edit_purchase_order, "PUT", "p", po_body(), po_id=po_id)

    assert response.status_code == 409
    assert error["error"]["code"] == "NotAllowed"
    assert error["error"]["field"] == "approvalStatus"
    assert "not confirmed by the ERP" in error["error"]["message"]


def test_a_confirmed_order_is_edited_and_finalized_ones_are_409(hub):
    po_id = create_po()
    confirm(po_id)
    lines = [{"lineNumber": 1, "productId": "P-1", "quantity": "15"}]

    response, order = call(
        triggers.edit_purchase_order, "PUT", "p", po_body(lines=lines), po_id=po_id
    )

    assert response.status_code == 200
    assert [(line["quantity"], line["deleted"]) for line in order["lines"]] == [
        ("15", False), ("4", True)]  # fmt: skip
    status = {"status": "invoiced", "approvalStatus": "finalized"}
    call(triggers.mirror_purchase_order_status, "POST", "s", status, po_id=po_id)
    response, error = call(
        triggers.edit_purchase_order, "PUT", "p", po_body(lines=lines), po_id=po_id
    )
    assert (response.status_code, error["error"]["field"]) == (409, "status")


def test_the_erp_mirror_sets_prices_and_refuses_going_back(hub):
    po_id = create_po()
    update = {**CONFIRMED, "lines": [{"lineNumber": 1, "unitPrice": "2.5", "netAmount": "25"}]}

    _, order = call(triggers.mirror_purchase_order_status, "POST", "s", update, po_id=po_id)

    assert (order["lines"][0]["unitPrice"], order["lines"][0]["netAmount"]) == ("2.5", "25")
    assert order["stage"] == "confirmed"
    back = {"status": "none", "approvalStatus": "finalized"}
    response, error = call(triggers.mirror_purchase_order_status, "POST", "s", back, po_id=po_id)
    assert (response.status_code, error["error"]["field"]) == (400, "approvalStatus")
    call(triggers.mirror_purchase_order_status, "POST", "s",
         {"status": "received", "approvalStatus": "confirmed"}, po_id=po_id)  # fmt: skip
    response, error = call(
        triggers.mirror_purchase_order_status, "POST", "s", CONFIRMED, po_id=po_id
    )
    assert (response.status_code, error["error"]["field"]) == (409, "status")


def test_over_receipt_is_400_and_a_receipt_sent_again_is_200(hub):
    po_id = create_po()
    confirm(po_id)
    over = receipt(quantity="11", close=False)

    response, error = call(triggers.post_purchase_order_receipt, "POST", "r", over, po_id=po_id)

    assert (response.status_code, error["error"]["field"]) == (400, "lines.0.quantity")
    assert "over-receipt" in error["error"]["message"]
    _, first = call(triggers.post_purchase_order_receipt, "POST", "r", receipt(), po_id=po_id)
    response, again = call(
        triggers.post_purchase_order_receipt, "POST", "r", receipt(), po_id=po_id
    )
    assert (response.status_code, again) == (200, first)


@pytest.mark.parametrize(
    ("trigger", "method", "param"),
    [
        (triggers.get_purchase_order, "GET", "po_id"),
        (triggers.edit_purchase_order, "PUT", "po_id"),
        (triggers.mirror_purchase_order_status, "POST", "po_id"),
        (triggers.post_purchase_order_receipt, "POST", "po_id"),
        (triggers.get_transfer_order, "GET", "to_id"),
        (triggers.ship_transfer_order, "POST", "to_id"),
        (triggers.receive_transfer_order, "POST", "to_id"),
    ],
)  # fmt: skip
def test_unknown_documents_are_404(hub, trigger, method, param):
    bodies = {triggers.edit_purchase_order: po_body(), triggers.post_purchase_order_receipt:
              receipt(), triggers.mirror_purchase_order_status: CONFIRMED}  # fmt: skip

    response, error = call(trigger, method, "x", bodies.get(trigger), **{param: "nope"})

    assert (response.status_code, error["error"]["code"]) == (404, "NotFound")


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": "0"}, "limit"), ({"continuation": "forged"}, "continuation")]
)
def test_bad_list_parameters_are_400_naming_them(hub, params, field):
    for trigger in (triggers.list_purchase_orders, triggers.list_transfer_orders):
        response, error = call(trigger, "GET", "l", params=params)
        assert (response.status_code, error["error"]["field"]) == (400, field)


def test_lists_page_with_a_continuation(hub):
    ids = sorted(create_po() for _ in range(3))

    _, first = call(triggers.list_purchase_orders, "GET", "l", params={"limit": "2"})
    token = first["continuation"]
    _, second = call(triggers.list_purchase_orders, "GET", "l", params={"continuation": token})

    assert [o["purchaseOrderId"] for o in first["purchaseOrders"] + second["purchaseOrders"]] == ids


def test_bad_json_is_400(hub):
    response, error = call(triggers.create_purchase_order, "POST", "purchase-orders", b"{")

    assert (response.status_code, error["error"]["code"]) == (400, "InvalidJson")


# Transfer orders


def test_a_transfer_order_is_created_shipped_and_received_over_http(hub):
    response, order = call(triggers.create_transfer_order, "POST", "transfer-orders", to_body())
    to_id = order["transferOrderId"]
    assert response.status_code == 201
    assert response.headers["Location"] == f"http://localhost/api/transfer-orders/{to_id}"
    _, incoming = call(triggers.get_incoming_supply, "GET", "i", product_id="P-3")
    [supply] = incoming["incoming"]
    assert (supply["kind"], supply["warehouse"], supply["quantityRemaining"]) == (
        "transfer order", "WH-1", "2")  # fmt: skip
    assert supply["expectedDate"] == "2026-11-30"

    response, shipped = call(triggers.ship_transfer_order, "POST", "s", to_id=to_id)
    assert (response.status_code, shipped["status"]) == (200, "Shipped")
    response, error = call(triggers.ship_transfer_order, "POST", "s", to_id=to_id)
    assert (response.status_code, error["error"]["code"]) == (409, "NotAllowed")

    response, result = call(triggers.receive_transfer_order, "POST", "r", {"receiptId": "RC-1"},
                            to_id=to_id)  # fmt: skip
    assert response.status_code == 201
    assert result["transferOrder"]["status"] == "Received"
    assert [line["status"] for line in result["transferOrder"]["lines"]] == ["None", "None"]
    assert result["receipt"]["receiptId"] == "RC-1"
    _, got = call(triggers.get_transfer_order, "GET", "t", to_id=to_id)
    assert [r["receiptId"] for r in got["receipts"]] == ["RC-1"]
    _, incoming = call(triggers.get_incoming_supply, "GET", "i", product_id="P-3")
    assert incoming["totalRemaining"] == "0"
    _, listed = call(triggers.list_transfer_orders, "GET", "transfer-orders")
    assert [o["transferOrderId"] for o in listed["transferOrders"]] == [to_id]
    assert len(hub.listener.calls) == 2


def test_transfer_order_input_errors_are_400_naming_the_field(hub):
    response, error = call(triggers.create_transfer_order, "POST", "t", to_body(toWarehouse="WH-2"))
    assert (response.status_code, error["error"]["field"]) == (400, "toWarehouse")
    _, order = call(triggers.create_transfer_order, "POST", "t", to_body())
    over = {"lines": [{"lineNumber": 1, "quantity": "9"}]}

    response, error = call(
        triggers.ship_transfer_order, "POST", "s", over, to_id=order["transferOrderId"]
    )

    assert (response.status_code, error["error"]["field"]) == (400, "lines.0.quantity")
