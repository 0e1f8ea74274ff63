"""The Flexe provider gateway: send fulfillment orders to Flexe and cancel them there."""

from __future__ import annotations

from collections.abc import Mapping

from domain.orders.model import SalesOrder
from providers.flexe.client import FlexeClient
from providers.flexe.mapping import MappingError, outbound_orders_for
from services.providers.gateway import GatewayResult, PermanentProviderFailure

SEND_TO_FULFILLMENT = "Send to Fulfillment"
CANCEL_FULFILLMENT = "Cancel Fulfillment"
_LEAVE_ALONE = frozenset({"cancelled", "rejected"})


class FlexeGateway:
    """Implements ProviderGateway for Flexe (contract: providers/flexe/CONTRACT.md, section 5)."""

    def __init__(self, client: FlexeClient) -> None:
        self._client = client

    def actions(self) -> frozenset[str]:
        """The actions Flexe offers: send to fulfillment and cancel fulfillment."""
        return frozenset({SEND_TO_FULFILLMENT, CANCEL_FULFILLMENT})

    def perform(
        self,
        action: str,
        order: SalesOrder,
        idempotency_key: str,
        parameters: Mapping[str, str],
    ) -> GatewayResult:
        """Perform the action; ProviderFailure (transient or permanent) when Flexe refuses."""
        if action == SEND_TO_FULFILLMENT:
            return self._send(order, idempotency_key, parameters)
        if action == CANCEL_FULFILLMENT:
            return self._cancel(order, idempotency_key, parameters)
        raise PermanentProviderFailure(f"Flexe has no action {action!r}")

    def _send(self, order: SalesOrder, key: str, parameters: Mapping[str, str]) -> GatewayResult:
        try:
            requests = outbound_orders_for(order)
        except MappingError as err:
            raise PermanentProviderFailure(f"cannot send to Flexe: {err}") from err
        default_warehouse = parameters.get("warehouseId")
        created: dict[str, str] = {}
        for request in requests:
            if request.warehouse_id is None and default_warehouse:
                request = request.model_copy(update={"warehouse_id": default_warehouse})
            outbound = self._client.create_outbound_order(request, f"{key}/{request.external_id}")
            created[request.external_id] = outbound.id
        listed = ", ".join(f"{external} -> {flexe}" for external, flexe in created.items())
        return GatewayResult(f"sent to Flexe: {listed}", external_ids=created)

    def _cancel(self, order: SalesOrder, key: str, parameters: Mapping[str, str]) -> GatewayResult:
        reason = parameters.get("reason")
        external_ids = [f.fulfillment_order_id for f in order.fulfillment_orders] or [
            order.order_id
        ]
        cancelled: dict[str, str] = {}
        for external_id in external_ids:
            outbound = self._client.find_by_external_id(external_id)
            if outbound is None or outbound.status in _LEAVE_ALONE:
                continue
            self._client.cancel(outbound.id, f"{key}/{external_id}", reason)
            cancelled[external_id] = outbound.id
        if not cancelled:
            return GatewayResult("nothing to cancel at Flexe")
        listed = ", ".join(f"{external} ({flexe})" for external, flexe in cancelled.items())
        return GatewayResult(f"cancelled at Flexe: {listed}", external_ids=cancelled)
