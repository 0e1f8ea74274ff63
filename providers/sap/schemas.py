"""SAP OData v2 DTOs (API_SALES_ORDER_SRV, API_BILLING_DOCUMENT_SRV), tolerant of extra fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_pascal


class SapModel(BaseModel):
    """Base for SAP DTOs: PascalCase names on the wire, unknown fields (`__metadata`) ignored."""

    model_config = ConfigDict(alias_generator=to_pascal, populate_by_name=True, extra="ignore")

    def wire(self) -> dict[str, Any]:
        """The JSON body for this DTO with SAP's property names, unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class SalesOrderItemCreate(SapModel):
    """One item of a sales order deep insert (decimals travel as strings)."""

    sales_order_item: str
    material: str
    requested_quantity: str
    requested_quantity_unit: str | None = None
    purchase_order_by_customer: str | None = None


class SalesOrderCreate(SapModel):
    """The body of `POST A_SalesOrder`: header plus items through the `to_Item` navigation."""

    sales_order_type: str = "OR"
    sales_organization: str
    distribution_channel: str
    organization_division: str
    sold_to_party: str
    purchase_order_by_customer: str
    transaction_currency: str | None = None
    requested_delivery_date: str | None = None  # "/Date(<ms since epoch>)/"
    items: list[SalesOrderItemCreate] = Field(alias="to_Item")


class SalesOrderItem(SapModel):
    """A sales order item as SAP reports it."""

    sales_order: str | None = None
    sales_order_item: str
    material: str | None = None
    requested_quantity: str | None = None
    requested_quantity_unit: str | None = None


class SalesOrderItems(SapModel):
    """The `to_Item` navigation: expanded (`results`) or deferred (no results)."""

    results: list[SalesOrderItem] = Field(default_factory=list, alias="results")


class SalesOrder(SapModel):
    """A sales order header as SAP reports it."""

    sales_order: str
    sales_order_type: str | None = None
    sales_organization: str | None = None
    sold_to_party: str | None = None
    purchase_order_by_customer: str | None = None
    transaction_currency: str | None = None
    overall_ord_reltd_billg_status: str | None = None
    items: SalesOrderItems = Field(default_factory=SalesOrderItems, alias="to_Item")


class BillingDocument(SapModel):
    """A billing document (invoice) header."""

    billing_document: str
    billing_document_type: str | None = None
    billing_document_is_cancelled: bool = False
    sold_to_party: str | None = None
    purchase_order_by_customer: str | None = None
    total_net_amount: str | None = None
    transaction_currency: str | None = None


class BillingDocumentItem(SapModel):
    """A billing document item, pointing back at the sales document it bills."""

    billing_document: str
    billing_document_item: str
    material: str | None = None
    billing_quantity: str | None = None
    reference_sd_document: str | None = Field(default=None, alias="ReferenceSDDocument")
    sales_document: str | None = None


class ODataErrorMessage(SapModel):
    """The message part of an OData v2 error."""

    value: str = Field(default="", alias="value")


class ODataErrorDetail(SapModel):
    """Code and message of an OData v2 error."""

    code: str = Field(default="", alias="code")
    message: ODataErrorMessage = Field(default_factory=ODataErrorMessage, alias="message")


class ODataError(SapModel):
    """The body SAP answers a failed OData v2 request with."""

    error: ODataErrorDetail = Field(default_factory=ODataErrorDetail, alias="error")


def error_text(body: bytes) -> str | None:
    """`code: message` from an OData v2 error body, or None when the body is not one."""
    try:
        detail = ODataError.model_validate_json(body).error
    except ValidationError:
        return None
    return f"{detail.code}: {detail.message.value}" if detail.code else None
