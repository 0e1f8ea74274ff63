"""The F&O provider's actions: send an order to fulfillment, send order lines to billing.

Both are idempotent without help from F&O: the header is found by CustomersOrderReference (our
order id) before one is created, and a line by CustomersLineNumber before it is added, so a
retried send completes what a failed one started and never creates a second document. An order
that came from F&O (channel "fno") already exists there; the actions only confirm it does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from domain.orders.model import OrderLine, SalesOrder
from providers.fno.client import FnoClient
from providers.fno.mapping import CHANNEL, header_body, line_body, place_order
from providers.fno.schemas import SalesOrderHeader
from services.orders.commands import PlaceOrder
from services.providers.gateway import GatewayResult, PermanentProviderFailure

SEND_TO_FULFILLMENT = "Send to Fulfillment"
SEND_LINES_TO_BILLING = "Send Order Lines to Billing"


class FnoGateway:
    """The ProviderGateway for Dynamics 365 Finance + Operations."""

    def __init__(self, client: FnoClient) -> None:
        self._client = client

    @property
    def client(self) -> FnoClient:
        """The F&O client this gateway calls."""
        return self._client

    def actions(self) -> frozenset[str]:
        """The actions F&O offers."""
        return frozenset({SEND_TO_FULFILLMENT, SEND_LINES_TO_BILLING})

    def perform(
        self,
        action: str,
        order: SalesOrder,
        idempotency_key: str,
        parameters: Mapping[str, str],
    ) -> GatewayResult:
        """Create (or find) the order in F&O with the lines the action selects."""
        if action not in self.actions():
            raise PermanentProviderFailure(f"F&O has no action {action!r}")
        if order.channel == CHANNEL:
            return self._originated_in_fno(order)
        lines = order.active_lines()
        held: list[OrderLine] = []
        if action == SEND_LINES_TO_BILLING:
            held = [line for line in lines if not line.shipping_warehouse]
            lines = [line for line in lines if line.shipping_warehouse]
            if not lines:
                return GatewayResult(
                    f"No line has a shipping warehouse; held back: {_ids(held)}", {}
                )
        company = order.company or parameters.get("company")
        if not company:
            raise PermanentProviderFailure("the order has no company (dataAreaId) assigned")
        _require_items(lines)
        header = self._header(order, company, idempotency_key)
        created = self._lines(header, lines, order.currency, idempotency_key)
        details = (
            f"Sales order {header.sales_order_number} in {header.data_area_id}: "
            f"{created} of {len(lines)} line(s) created"
        )
        if held:
            details += f"; held back (no shipping warehouse): {_ids(held)}"
        return GatewayResult(details, self._external_ids(order, header))

    def _header(self, order: SalesOrder, company: str, idempotency_key: str) -> SalesOrderHeader:
        for existing in self._client.find_orders_by_reference(order.order_id):
            if existing.data_area_id.lower() == company.lower():
                return existing
        body = header_body(order, company, order.order_id)
        return self._client.create_header(body, f"{idempotency_key}/header")

    def _lines(
        self,
        header: SalesOrderHeader,
        lines: Sequence[OrderLine],
        currency: str,
        idempotency_key: str,
    ) -> int:
        area, number = header.data_area_id, header.sales_order_number
        present = {line.customers_line_number for line in self._client.order_lines(area, number)}
        created = 0
        for line in lines:
            if line.line_number in present:
                continue
            body = line_body(line, currency, area, number)
            self._client.create_line(body, f"{idempotency_key}/line/{line.line_id}")
            created += 1
        return created

    def _external_ids(self, order: SalesOrder, header: SalesOrderHeader) -> dict[str, str]:
        """The order's key and, per line sent, `line/<our line id>` -> InventoryLotId."""
        area, number = header.data_area_id, header.sales_order_number
        ids = {"dataAreaId": area, "salesOrderNumber": number}
        ours = {line.line_number: line.line_id for line in order.lines}
        for line in self._client.order_lines(area, number):
            if line.customers_line_number in ours:
                ids[f"line/{ours[line.customers_line_number]}"] = line.inventory_lot_id
        return ids

    def _originated_in_fno(self, order: SalesOrder) -> GatewayResult:
        area, _, number = order.external_order_id.partition("/")
        header = self._client.get_order(area, number)
        if header is None:
            raise PermanentProviderFailure(f"F&O has no sales order {number} in {area}")
        details = f"Sales order {number} in {area} originated in F&O; nothing to send"
        return GatewayResult(details, {"dataAreaId": area, "salesOrderNumber": number})


def pull_confirmed_orders(client: FnoClient, created_since: datetime | None) -> list[PlaceOrder]:
    """PlaceOrder commands for F&O orders confirmed or later (only those reach the hub)."""
    commands: list[PlaceOrder] = []
    for header in client.confirmed_orders(created_since):
        lines = client.order_lines(header.data_area_id, header.sales_order_number)
        if lines:
            commands.append(place_order(header, lines))
    return commands


def _require_items(lines: Sequence[OrderLine]) -> None:
    write_ins = [line for line in lines if not line.product_id]
    if write_ins:
        raise PermanentProviderFailure(
            f"F&O needs an item number; write-in product line(s): {_ids(write_ins)}"
        )


def _ids(lines: Sequence[OrderLine]) -> str:
    return ", ".join(line.line_id for line in lines)
