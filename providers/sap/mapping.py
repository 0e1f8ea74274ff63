"""Our sales order, as the SAP sales order (deep insert) that SAP bills."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time

from domain.orders.model import SalesOrder
from providers.sap.schemas import SalesOrderCreate, SalesOrderItemCreate

ORG_PARAMETERS = ("SalesOrganization", "DistributionChannel", "OrganizationDivision")
PURCHASE_ORDER_LENGTH = 35  # PurchaseOrderByCustomer is CHAR 35 in SAP


class MappingError(ValueError):
    """The order cannot be expressed as an SAP sales order (missing or invalid data)."""


def purchase_order_reference(order_id: str) -> str:
    """The PurchaseOrderByCustomer SAP keeps for our order: its id, hyphens dropped if too long.

    It makes creation idempotent: a retried create finds the order already carrying it.
    """
    if len(order_id) <= PURCHASE_ORDER_LENGTH:
        return order_id
    compact = order_id.replace("-", "")
    if len(compact) > PURCHASE_ORDER_LENGTH:
        raise MappingError(f"order id {order_id!r} does not fit PurchaseOrderByCustomer")
    return compact


def sales_order_for(order: SalesOrder, parameters: Mapping[str, str]) -> SalesOrderCreate:
    """The deep-insert body: header from parameters and the order, one item per active line."""
    missing = [name for name in ORG_PARAMETERS if not parameters.get(name)]
    if missing:
        raise MappingError(f"SAP action parameters lack {', '.join(missing)}")
    reference = purchase_order_reference(order.order_id)
    items = []
    for line in order.active_lines():
        if not line.product_id:
            raise MappingError(f"line {line.line_id} has no product id (SAP needs a Material)")
        if line.quantity <= 0:
            raise MappingError(f"line {line.line_id} quantity {line.quantity} is not positive")
        items.append(
            SalesOrderItemCreate(
                sales_order_item=str(line.line_number * 10),
                material=line.product_id,
                requested_quantity=format(line.quantity.normalize(), "f"),
                requested_quantity_unit=line.unit.upper(),
                purchase_order_by_customer=reference,
            )
        )
    if not items:
        raise MappingError(f"order {order.order_id} has no active lines to bill")
    return SalesOrderCreate(
        sales_order_type=parameters.get("SalesOrderType") or "OR",
        sales_organization=parameters["SalesOrganization"],
        distribution_channel=parameters["DistributionChannel"],
        organization_division=parameters["OrganizationDivision"],
        sold_to_party=order.invoice_customer_id or order.customer_id,
        purchase_order_by_customer=reference,
        transaction_currency=order.currency,
        requested_delivery_date=_odata_date(order),
        to_Item=items,
    )


def _odata_date(order: SalesOrder) -> str | None:
    if order.requested_delivery_date is None:
        return None
    midnight = datetime.combine(order.requested_delivery_date, time(), tzinfo=UTC)
    return f"/Date({int(midnight.timestamp() * 1000)})/"
