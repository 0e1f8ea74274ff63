"""SAP as the hub's InvoiceLookup: the billing document SAP made for one of our orders."""

from __future__ import annotations

from providers.sap.gateway import SapGateway


class SapInvoices:
    """Implements InvoiceLookup over the SAP gateway (found by PurchaseOrderByCustomer)."""

    def __init__(self, gateway: SapGateway) -> None:
        self._gateway = gateway

    def invoice_for(self, order_id: str) -> str | None:
        """The uncancelled SAP billing document for the order, or None while there is none."""
        return self._gateway.invoice_for(order_id)
