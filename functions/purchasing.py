"""Purchase orders, product receipts, transfer orders and incoming supply (function-key protected).

Purchase orders are the ERP's: we may create them (draft) and edit them once it confirmed them;
`/status` mirrors its status updates and the only way to set prices, discounts and net amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import azure.functions as func
from pydantic import BaseModel

from bootstrap.container import get_container
from domain.purchasing.editing import ErpStatusUpdate, NewPurchaseOrder, PurchaseOrderDefinition
from domain.purchasing.receipts import ProductReceiptInput
from domain.purchasing.transfers import (
    NewTransferOrder,
    ReceiveTransferOrder,
    ShipTransferOrder,
)
from functions._http import handle_errors, json_response, parse_body, query_int

bp = func.Blueprint()

MAX_LIMIT = 1000


# Purchase orders


@bp.function_name("create_purchase_order")
@bp.route(route="purchase-orders", methods=["POST"])
@handle_errors
def create_purchase_order(req: func.HttpRequest) -> func.HttpResponse:
    """Create a draft purchase order: 201 with its Location, 200 when the same id was sent."""
    order, created = get_container().purchasing.create_purchase_order(
        parse_body(req, NewPurchaseOrder)
    )
    response = json_response(_body(order, receipts=[]), 201 if created else 200)
    response.headers["Location"] = _url(req, f"purchase-orders/{order.purchase_order_id}")
    return response


@bp.function_name("list_purchase_orders")
@bp.route(route="purchase-orders", methods=["GET"])
@handle_errors
def list_purchase_orders(req: func.HttpRequest) -> func.HttpResponse:
    """Purchase orders in id order, a page at a time."""
    purchasing = get_container().purchasing
    page = purchasing.list_purchase_orders(_limit(req), req.params.get("continuation") or None)
    orders = [_body(order) for order in page.items]
    return json_response({"purchaseOrders": orders, "continuation": page.continuation})


@bp.function_name("get_purchase_order")
@bp.route(route="purchase-orders/{po_id}", methods=["GET"])
@handle_errors
def get_purchase_order(req: func.HttpRequest) -> func.HttpResponse:
    """The purchase order with its lines, stage and product receipts."""
    purchasing, order_id = get_container().purchasing, req.route_params["po_id"]
    order = purchasing.purchase_order(order_id)
    return json_response(_body(order, receipts=purchasing.purchase_order_receipts(order_id)))


@bp.function_name("edit_purchase_order")
@bp.route(route="purchase-orders/{po_id}", methods=["PUT"])
@handle_errors
def edit_purchase_order(req: func.HttpRequest) -> func.HttpResponse:
    """Replace header and lines; 409 unless the ERP confirmed it and it is not finalized."""
    definition = parse_body(req, PurchaseOrderDefinition)
    order = get_container().purchasing.edit_purchase_order(req.route_params["po_id"], definition)
    return json_response(_body(order))


@bp.function_name("mirror_purchase_order_status")
@bp.route(route="purchase-orders/{po_id}/status", methods=["POST"])
@handle_errors
def mirror_purchase_order_status(req: func.HttpRequest) -> func.HttpResponse:
    """Apply an ERP status update: statuses, PO number, confirmed dates and line prices."""
    update = parse_body(req, ErpStatusUpdate)
    order = get_container().purchasing.mirror_erp_status(req.route_params["po_id"], update)
    return json_response(_body(order))


@bp.function_name("post_purchase_order_receipt")
@bp.route(route="purchase-orders/{po_id}/receipts", methods=["POST"])
@handle_errors
def post_purchase_order_receipt(req: func.HttpRequest) -> func.HttpResponse:
    """Post a product receipt: 201 when new, 200 when the same receipt id was posted before."""
    receipt = parse_body(req, ProductReceiptInput)
    posted, created = get_container().purchasing.post_receipt(req.route_params["po_id"], receipt)
    return json_response(_body(posted), 201 if created else 200)


@bp.function_name("get_incoming_supply")
@bp.route(route="products/{product_id}/incoming", methods=["GET"])
@handle_errors
def get_incoming_supply(req: func.HttpRequest) -> func.HttpResponse:
    """Open purchase and transfer order lines of a product, soonest expected first."""
    product_id = req.route_params["product_id"]
    supplies = get_container().purchasing.incoming(product_id)
    total = sum((s.quantity_remaining for s in supplies), Decimal(0))
    incoming = [_body(supply) for supply in supplies]
    return json_response(
        {"productId": product_id, "incoming": incoming, "totalRemaining": str(total)}
    )


# Transfer orders


@bp.function_name("create_transfer_order")
@bp.route(route="transfer-orders", methods=["POST"])
@handle_errors
def create_transfer_order(req: func.HttpRequest) -> func.HttpResponse:
    """Create a transfer order: 201 with its Location, 200 when the same id was sent."""
    order, created = get_container().purchasing.create_transfer_order(
        parse_body(req, NewTransferOrder)
    )
    response = json_response(_body(order, receipts=[]), 201 if created else 200)
    response.headers["Location"] = _url(req, f"transfer-orders/{order.transfer_order_id}")
    return response


@bp.function_name("list_transfer_orders")
@bp.route(route="transfer-orders", methods=["GET"])
@handle_errors
def list_transfer_orders(req: func.HttpRequest) -> func.HttpResponse:
    """Transfer orders in id order, a page at a time."""
    purchasing = get_container().purchasing
    page = purchasing.list_transfer_orders(_limit(req), req.params.get("continuation") or None)
    orders = [_body(order) for order in page.items]
    return json_response({"transferOrders": orders, "continuation": page.continuation})


@bp.function_name("get_transfer_order")
@bp.route(route="transfer-orders/{to_id}", methods=["GET"])
@handle_errors
def get_transfer_order(req: func.HttpRequest) -> func.HttpResponse:
    """The transfer order with its lines and receipts."""
    purchasing, order_id = get_container().purchasing, req.route_params["to_id"]
    order = purchasing.transfer_order(order_id)
    return json_response(_body(order, receipts=purchasing.transfer_order_receipts(order_id)))


@bp.function_name("ship_transfer_order")
@bp.route(route="transfer-orders/{to_id}/ship", methods=["POST"])
@handle_errors
def ship_transfer_order(req: func.HttpRequest) -> func.HttpResponse:
    """Ship the given line quantities (no body: everything not shipped yet)."""
    shipment = parse_body(req, ShipTransferOrder) if req.get_body().strip() else ShipTransferOrder()
    order = get_container().purchasing.ship_transfer_order(req.route_params["to_id"], shipment)
    return json_response(_body(order))


@bp.function_name("receive_transfer_order")
@bp.route(route="transfer-orders/{to_id}/receive", methods=["POST"])
@handle_errors
def receive_transfer_order(req: func.HttpRequest) -> func.HttpResponse:
    """Receive shipped stock (no body: everything in transit): 201 new, 200 same receipt id."""
    body = req.get_body().strip()
    receipt = parse_body(req, ReceiveTransferOrder) if body else ReceiveTransferOrder()
    purchasing = get_container().purchasing
    order, posted, created = purchasing.receive_transfer_order(req.route_params["to_id"], receipt)
    body_json: dict[str, object] = {"transferOrder": _body(order), "receipt": _body(posted)}
    return json_response(body_json, 201 if created else 200)


def _body(model: BaseModel, **extra: Sequence[BaseModel]) -> dict[str, object]:
    body: dict[str, object] = model.model_dump(mode="json", by_alias=True)
    for name, items in extra.items():
        body[name] = [item.model_dump(mode="json", by_alias=True) for item in items]
    return body


def _limit(req: func.HttpRequest) -> int:
    return query_int(req, "limit", 50, 1, MAX_LIMIT)


def _url(req: func.HttpRequest, path: str) -> str:
    return f"{req.url.split('/api/', 1)[0]}/api/{path}"
