"""The SAP simulator's in-memory sales orders and billing documents (not thread-safe)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Json = dict[str, Any]

_HEADER_REQUIRED = (
    "SalesOrderType",
    "SalesOrganization",
    "DistributionChannel",
    "OrganizationDivision",
    "SoldToParty",
)
_CONDITION = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$")


class ODataFailure(Exception):
    """An OData v2 error the simulator answers with `{error: {code, message: {lang, value}}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def odata_now() -> str:
    """The current time as an OData v2 JSON date."""
    return f"/Date({int(datetime.now(UTC).timestamp() * 1000)})/"


def matches(entity: Json, filter_text: str | None) -> bool:
    """True when the entity satisfies `Prop eq 'value' [and ...]` (all this simulator parses)."""
    if not filter_text:
        return True
    for condition in re.split(r"\s+and\s+", filter_text.strip()):
        match = _CONDITION.match(condition)
        if match is None:
            raise ODataFailure(400, "SY/530", f"unsupported $filter: {condition}")
        name, value = match.group(1), match.group(2).replace("''", "'")
        if str(entity.get(name, "")) != value:
            return False
    return True


@dataclass
class SapStore:
    """Sales orders with items, and the billing documents billing them."""

    sales_orders: dict[str, Json] = field(default_factory=dict)
    billing_documents: dict[str, Json] = field(default_factory=dict)
    billing_items: list[Json] = field(default_factory=list)

    def create_sales_order(self, body: Json) -> Json:
        """Store a deep insert; ODataFailure 400 when a required property is missing or bad."""
        missing = [name for name in _HEADER_REQUIRED if not body.get(name)]
        items = body.get("to_Item")
        if isinstance(items, dict):
            items = items.get("results")
        if missing:
            raise ODataFailure(400, "V1/382", f"required properties missing: {', '.join(missing)}")
        if not isinstance(items, list) or not items:
            raise ODataFailure(400, "V1/331", "sales order has no items (to_Item)")
        number = str(1_000_000 + len(self.sales_orders) + 1)
        header: Json = {
            name: body.get(name)
            for name in (*_HEADER_REQUIRED, "PurchaseOrderByCustomer", "TransactionCurrency")
        }
        header.update(
            SalesOrder=number,
            RequestedDeliveryDate=body.get("RequestedDeliveryDate"),
            CreationDate=odata_now(),
            OverallSDProcessStatus="A",
            OverallDeliveryStatus="A",
            OverallOrdReltdBillgStatus="A",
            TotalNetAmount="0.00",
            to_Item=[_item(number, index, item) for index, item in enumerate(items)],
        )
        self.sales_orders[number] = header
        return header

    def sales_order(self, number: str) -> Json:
        """The sales order with this number, or a 404 ODataFailure."""
        order = self.sales_orders.get(number)
        if order is None:
            raise ODataFailure(404, "/IWBEP/CM_MGW_RT/020", f"Resource not found: {number}")
        return order

    def bill(self, number: str, net_amount: str | None) -> Json:
        """Bill the sales order (F2 invoice over every item); 409 when already billed."""
        order = self.sales_order(number)
        if order["OverallOrdReltdBillgStatus"] == "C":
            raise ODataFailure(409, "VF/016", f"sales order {number} is already billed")
        document = str(90_000_000 + len(self.billing_documents) + 1)
        amount = net_amount or "0.00"
        self.billing_documents[document] = {
            "BillingDocument": document,
            "BillingDocumentType": "F2",
            "SDDocumentCategory": "M",
            "SalesOrganization": order["SalesOrganization"],
            "DistributionChannel": order["DistributionChannel"],
            "Division": order["OrganizationDivision"],
            "BillingDocumentDate": odata_now(),
            "BillingDocumentIsCancelled": False,
            "SoldToParty": order["SoldToParty"],
            "PayerParty": order["SoldToParty"],
            "PurchaseOrderByCustomer": order["PurchaseOrderByCustomer"],
            "TransactionCurrency": order["TransactionCurrency"],
            "TotalNetAmount": amount,
            "OverallBillingStatus": "C",
            "AccountingPostingStatus": "C",
        }
        for item in order["to_Item"]:
            self.billing_items.append(
                {
                    "BillingDocument": document,
                    "BillingDocumentItem": item["SalesOrderItem"],
                    "Material": item["Material"],
                    "BillingQuantity": item["RequestedQuantity"],
                    "BillingQuantityUnit": item["RequestedQuantityUnit"],
                    "ReferenceSDDocument": number,
                    "ReferenceSDDocumentItem": item["SalesOrderItem"],
                    "ReferenceSDDocumentCategory": "C",
                    "SalesDocument": number,
                    "SalesDocumentItem": item["SalesOrderItem"],
                }
            )
            item["OrderRelatedBillingStatus"] = "C"
        order["OverallOrdReltdBillgStatus"] = "C"
        return self.billing_documents[document]


def _item(number: str, index: int, item: Any) -> Json:
    if not isinstance(item, dict) or not item.get("Material"):
        raise ODataFailure(400, "V1/320", f"item {index + 1}: Material is required")
    try:
        quantity = Decimal(str(item.get("RequestedQuantity")))
    except InvalidOperation:
        quantity = Decimal(0)
    if not quantity.is_finite() or quantity <= 0:
        raise ODataFailure(400, "V1/321", f"item {index + 1}: RequestedQuantity must be positive")
    return {
        "SalesOrder": number,
        "SalesOrderItem": str(item.get("SalesOrderItem") or (index + 1) * 10),
        "Material": item["Material"],
        "RequestedQuantity": str(quantity),
        "RequestedQuantityUnit": item.get("RequestedQuantityUnit") or "EA",
        "PurchaseOrderByCustomer": item.get("PurchaseOrderByCustomer"),
        "SalesOrderItemCategory": "TAN",
        "DeliveryStatus": "A",
        "OrderRelatedBillingStatus": "A",
    }
