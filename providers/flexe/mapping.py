"""Our sales order, as the Flexe outbound orders that ship it (one per fulfillment order)."""

from __future__ import annotations

from decimal import Decimal

from domain.orders.model import Address, FulfillmentOrder, SalesOrder
from domain.orders.states import OrderState
from providers.flexe.schemas import OutboundLine, OutboundOrderRequest, ShipTo

_REQUIRED_ADDRESS = ("name", "line1", "city", "postal_code", "country")


class MappingError(ValueError):
    """The order cannot be expressed as a Flexe outbound order (missing or invalid data)."""


def outbound_orders_for(order: SalesOrder) -> list[OutboundOrderRequest]:
    """One outbound order per live fulfillment order, or one for the whole order if it has none.

    The externalId is the fulfillment order id, or the sales order id when sourcing created
    no fulfillment orders; the warehouse is the fulfillment order's (or the lines' common one).
    """
    ship_to = ship_to_for(order.ship_to)
    if order.fulfillment_orders:
        live = [f for f in order.fulfillment_orders if f.state != OrderState.CANCELED]
        requests = [_for_fulfillment_order(order, f, ship_to) for f in live]
        requests = [request for request in requests if request.lines]
    else:
        requests = [_for_whole_order(order, ship_to)]
    if not requests or not all(request.lines for request in requests):
        raise MappingError(f"order {order.order_id} has no active lines to send to Flexe")
    return requests


def ship_to_for(address: Address) -> ShipTo:
    """The Flexe ship-to for our address; MappingError when a required part is missing."""
    missing = [name for name in _REQUIRED_ADDRESS if not getattr(address, name)]
    if missing:
        raise MappingError(f"ship-to address lacks {', '.join(missing)}")
    return ShipTo(
        name=address.name or "",
        line1=address.line1 or "",
        line2=address.line2,
        city=address.city or "",
        state=address.state_or_province,
        postal_code=address.postal_code or "",
        country=(address.country or "").upper(),
    )


def _for_fulfillment_order(
    order: SalesOrder, fulfillment: FulfillmentOrder, ship_to: ShipTo
) -> OutboundOrderRequest:
    lines = [
        _line(line.line_id, line.product_id or _product_of(order, line.line_id), line.quantity)
        for line in fulfillment.lines
        if line.state != OrderState.CANCELED
    ]
    return OutboundOrderRequest(
        external_id=fulfillment.fulfillment_order_id,
        ship_to=ship_to,
        lines=lines,
        warehouse_id=fulfillment.shipping_warehouse,
    )


def _for_whole_order(order: SalesOrder, ship_to: ShipTo) -> OutboundOrderRequest:
    active = order.active_lines()
    warehouses = {line.shipping_warehouse for line in active}
    return OutboundOrderRequest(
        external_id=order.order_id,
        ship_to=ship_to,
        lines=[_line(line.line_id, line.product_id, line.quantity) for line in active],
        warehouse_id=warehouses.pop() if len(warehouses) == 1 else None,
    )


def _product_of(order: SalesOrder, line_id: str) -> str | None:
    try:
        return order.line(line_id).product_id
    except KeyError:
        raise MappingError(f"fulfillment line {line_id} is not on order {order.order_id}") from None


def _line(line_id: str, sku: str | None, quantity: Decimal) -> OutboundLine:
    if not sku:
        raise MappingError(f"line {line_id} has no product id (write-in products cannot ship)")
    if quantity <= 0 or quantity != quantity.to_integral_value():
        raise MappingError(f"line {line_id} quantity {quantity} is not a positive whole number")
    return OutboundLine(line_id=line_id, sku=sku, quantity=int(quantity))
