"""The SAP provider gateway: send an order to SAP for invoicing and find the invoice SAP made."""

from __future__ import annotations

from collections.abc import Mapping

from domain.orders.model import SalesOrder
from providers.sap.client import SapClient
from providers.sap.mapping import MappingError, purchase_order_reference, sales_order_for
from services.providers.gateway import GatewayResult, PermanentProviderFailure

SEND_TO_INVOICE = "Send to Invoice"
SALES_ORDER_ID = "SalesOrder"


class SapGateway:
    """Implements ProviderGateway for SAP S/4HANA (accounting): billing via an SAP sales order.

    Parameters of "Send to Invoice": SalesOrganization, DistributionChannel and
    OrganizationDivision (required), SalesOrderType (default "OR"). Idempotency comes from
    PurchaseOrderByCustomer (our order id), which SAP OData v2 lets us search before creating.
    """

    def __init__(self, client: SapClient) -> None:
        self._client = client

    def actions(self) -> frozenset[str]:
        """The actions SAP offers: send to invoice."""
        return frozenset({SEND_TO_INVOICE})

    def perform(
        self,
        action: str,
        order: SalesOrder,
        idempotency_key: str,
        parameters: Mapping[str, str],
    ) -> GatewayResult:
        """Create (or find) the SAP sales order SAP will bill; ProviderFailure when refused."""
        if action != SEND_TO_INVOICE:
            raise PermanentProviderFailure(f"SAP has no action {action!r}")
        try:
            body = sales_order_for(order, parameters)
        except MappingError as err:
            raise PermanentProviderFailure(f"cannot send to SAP: {err}") from err
        created = self._client.create_sales_order(body)
        return GatewayResult(
            f"SAP sales order {created.sales_order} for {body.purchase_order_by_customer}"
            f" (call {idempotency_key})",
            external_ids={SALES_ORDER_ID: created.sales_order},
        )

    def invoice_for(self, order_id: str) -> str | None:
        """The SAP billing document billing our order, once SAP has created one."""
        sales_order = self._client.find_sales_order(purchase_order_reference(order_id))
        if sales_order is None:
            return None
        for document in self._client.billing_documents(sales_order.sales_order):
            if not document.billing_document_is_cancelled:
                return document.billing_document
        return None
