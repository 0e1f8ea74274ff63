"""BigCommerce as a provider: write the order's status back and create shipments, idempotently.

"Update Storefront Status" PUTs the status_id our order's state maps to (a PUT of the same value
is harmless, so retries are safe); a state with no storefront status sends nothing.
"Create Shipment" first reads the order's shipments and does nothing when one already has the
tracking number or carries the idempotency key in its comments, so a retried call never ships
twice. Parameters: `trackingNumber` (required), `shippingProvider`, `orderAddressId` (else the
first ship-to address) and `lineIds` (comma-separated; else every line not canceled).
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.orders.model import OrderLine, SalesOrder
from domain.orders.states import OrderState
from providers.bigcommerce.client import BigCommerceClient
from providers.bigcommerce.mapping import CHANNEL, storefront_status
from providers.bigcommerce.schemas import Shipment
from services.providers.gateway import GatewayResult, PermanentProviderFailure

UPDATE_STATUS = "Update Storefront Status"
CREATE_SHIPMENT = "Create Shipment"
MAX_TRACKING_NUMBER = 50


class BigCommerceGateway:
    """The ProviderGateway of one BigCommerce store."""

    def __init__(self, client: BigCommerceClient) -> None:
        self._client = client

    def actions(self) -> frozenset[str]:
        """The actions BigCommerce offers."""
        return frozenset({UPDATE_STATUS, CREATE_SHIPMENT})

    def perform(
        self,
        action: str,
        order: SalesOrder,
        idempotency_key: str,
        parameters: Mapping[str, str],
    ) -> GatewayResult:
        """Perform the action for the order; raises ProviderFailure when the store refuses."""
        order_id = _bigcommerce_id(order)
        if action == UPDATE_STATUS:
            return self._update_status(order_id, order)
        if action == CREATE_SHIPMENT:
            return self._create_shipment(order_id, order, idempotency_key, parameters)
        raise PermanentProviderFailure(f"BigCommerce offers no action {action!r}")

    def _update_status(self, order_id: int, order: SalesOrder) -> GatewayResult:
        status_id = storefront_status(order.state, order.reason)
        if status_id is None:
            details = f"no storefront status for {order.state} / {order.reason}; nothing sent"
            return GatewayResult(details)
        updated = self._client.update_status(order_id, status_id)
        details = f"BigCommerce order {order_id} is now {updated.status or status_id}"
        return GatewayResult(details, {"statusId": str(updated.status_id)})

    def _create_shipment(
        self, order_id: int, order: SalesOrder, key: str, parameters: Mapping[str, str]
    ) -> GatewayResult:
        tracking = parameters.get("trackingNumber", "").strip()
        if not tracking or len(tracking) > MAX_TRACKING_NUMBER:
            message = f"Create Shipment needs a trackingNumber of 1..{MAX_TRACKING_NUMBER} chars"
            raise PermanentProviderFailure(message)
        existing = _already_shipped(self._client.shipments(order_id), tracking, key)
        if existing is not None:
            details = f"shipment {existing.id} ({existing.tracking_number}) already exists"
            return GatewayResult(details, {"shipmentId": str(existing.id)})
        items = [(_product_id(line), _quantity(line)) for line in _lines(order, parameters)]
        if not items:
            raise PermanentProviderFailure("Create Shipment: no lines to ship")
        shipment = self._client.create_shipment(
            order_id,
            self._address_id(order_id, parameters),
            items,
            tracking,
            shipping_provider=parameters.get("shippingProvider", ""),
            comments=f"order-hub {key}",
        )
        details = f"shipment {shipment.id} created with tracking number {tracking}"
        return GatewayResult(details, {"shipmentId": str(shipment.id)})

    def _address_id(self, order_id: int, parameters: Mapping[str, str]) -> int:
        given = parameters.get("orderAddressId")
        if given:
            return _integer(given, "orderAddressId")
        addresses = self._client.shipping_addresses(order_id)
        if not addresses:
            raise PermanentProviderFailure(f"BigCommerce order {order_id} has no ship-to address")
        return addresses[0].id


def _already_shipped(shipments: list[Shipment], tracking: str, key: str) -> Shipment | None:
    for shipment in shipments:
        if shipment.tracking_number == tracking or key in shipment.comments:
            return shipment
    return None


def _lines(order: SalesOrder, parameters: Mapping[str, str]) -> list[OrderLine]:
    wanted = {part.strip() for part in parameters.get("lineIds", "").split(",") if part.strip()}
    if wanted:
        unknown = wanted - {line.line_id for line in order.lines}
        if unknown:
            raise PermanentProviderFailure(f"unknown lineIds: {', '.join(sorted(unknown))}")
        return [line for line in order.lines if line.line_id in wanted]
    return [line for line in order.lines if line.state != OrderState.CANCELED]


def _bigcommerce_id(order: SalesOrder) -> int:
    if order.channel != CHANNEL:
        message = f"order {order.order_id} came from {order.channel!r}, not BigCommerce"
        raise PermanentProviderFailure(message)
    return _integer(order.external_order_id, "externalOrderId")


def _product_id(line: OrderLine) -> int:
    if line.external_line_id is None:
        raise PermanentProviderFailure(f"line {line.line_id} has no BigCommerce order_product_id")
    return _integer(line.external_line_id, f"line {line.line_id} externalLineId")


def _quantity(line: OrderLine) -> int:
    quantity = line.quantity - line.quantity_canceled
    if quantity <= 0 or quantity != quantity.to_integral_value():
        message = f"line {line.line_id}: BigCommerce ships whole units, not {quantity}"
        raise PermanentProviderFailure(message)
    return int(quantity)


def _integer(value: str, name: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise PermanentProviderFailure(f"{name} {value!r} is not a BigCommerce id") from None
