"""The hub's purchase orders and product receipts as Dataverse-shaped records for the PO maps.

Column names are IOM's Dataverse ones (`msdyn_purchaseorders`, `msdyn_purchaseorderproducts`,
`msdyn_purchaseorderreceipts`, `msdyn_purchaseorderreceiptproducts`), lookups written as dotted
names (`msdyn_vendor.accountnumber`); statuses are the dual-write option values. Dates become
midnight UTC datetimes, as in the order view, because the filter language has only datetimes.
"""

from __future__ import annotations

from domain.filters import FilterValue
from domain.purchasing.orders import (
    ApprovalStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from domain.purchasing.receipts import ProductReceipt, ReceiptLine
from domain.sync.columns import moment

Record = dict[str, FilterValue]

# msdyn_purchaseorderstatus / msdyn_purchaseorderlinestatus (PurchStatus), as the maps pair them.
PURCHASE_STATUS_CODES: dict[PurchaseOrderStatus, int] = {
    PurchaseOrderStatus.NONE: 192350000,
    PurchaseOrderStatus.BACKORDER: 192350001,
    PurchaseOrderStatus.RECEIVED: 192350002,
    PurchaseOrderStatus.INVOICED: 192350003,
    PurchaseOrderStatus.CANCELED: 192350004,
}

# msdyn_documentapprovalstatus (VersioningDocumentState); Dataverse orders finalized before
# confirmed, unlike F&O's numbers.
APPROVAL_STATUS_CODES: dict[ApprovalStatus, int] = {
    ApprovalStatus.DRAFT: 192350000,
    ApprovalStatus.IN_REVIEW: 192350001,
    ApprovalStatus.REJECTED: 192350002,
    ApprovalStatus.APPROVED: 192350003,
    ApprovalStatus.IN_EXTERNAL_REVIEW: 192350004,
    ApprovalStatus.FINALIZED: 192350005,
    ApprovalStatus.CONFIRMED: 192350006,
}


def purchase_order_record(order: PurchaseOrder) -> Record:
    """A purchase order header as the "Purchase order headers V2" map reads it."""
    return {
        "msdyn_purchaseorderid": order.purchase_order_id,
        "msdyn_name": order.name,
        "msdyn_company.cdm_companycode": order.company,
        "msdyn_vendor.accountnumber": order.vendor_id,
        "msdyn_vendororderreference": order.vendor_reference,
        "transactioncurrencyid.isocurrencycode": order.currency,
        "msdyn_receivingsite.msdyn_siteid": order.receiving_site,
        "msdyn_receivingwarehouse.msdyn_warehouseidentifier": order.receiving_warehouse,
        "msdyn_requesteddeliverydate": moment(order.requested_delivery_date),
        "msdyn_confirmeddeliverydate": moment(order.confirmed_delivery_date),
        "msdyn_purchaseorderstatus": PURCHASE_STATUS_CODES[order.status],
        "msdyn_documentapprovalstatus": APPROVAL_STATUS_CODES[order.approval_status],
    }


def purchase_line_record(order: PurchaseOrder, line: PurchaseOrderLine) -> Record:
    """A purchase order line as the "CDS purchase order lines" map reads it."""
    return {
        "msdyn_purchaseorder.msdyn_name": order.name,
        "msdyn_company.cdm_companycode": order.company,
        "msdyn_lineorder": line.line_number,
        "msdyn_product.msdyn_productnumber": line.product_id,
        "msdyn_description": line.description,
        "msdyn_quantity": line.quantity,
        "msdyn_unit.msdyn_symbol": line.unit,
        "msdyn_receivingsite.msdyn_siteid": order.receiving_site,
        "msdyn_receivingwarehouse.msdyn_warehouseidentifier": line.warehouse,
        "msdyn_requesteddeliverydate": moment(line.expected_date),
        "msdyn_confirmeddeliverydate": moment(line.confirmed_date),
        "msdyn_priceperunit": line.unit_price,
        "msdyn_linediscountamount": line.discount_amount,
        "msdyn_linediscountpercentage": line.discount_percentage,
        "msdyn_lineamount": line.net_amount,
        "msdyn_receivedquantity": line.received_quantity,
        "msdyn_remainingquantity": line.remaining_quantity,
        "msdyn_purchaseorderlinestatus": PURCHASE_STATUS_CODES[line.status],
        "msdyn_isdeleted": line.deleted,
    }


def receipt_record(order: PurchaseOrder, receipt: ProductReceipt) -> Record:
    """A posted product receipt as the "Product receipt headers" map reads it."""
    return {
        "msdyn_name": receipt.receipt_id,
        "msdyn_company.cdm_companycode": order.company,
        "msdyn_purchaseorder.msdyn_name": order.name,
        "msdyn_vendor.accountnumber": order.vendor_id,
        "msdyn_datereceived": moment(receipt.receipt_date),
        "msdyn_note": receipt.note,
    }


def receipt_line_record(order: PurchaseOrder, receipt: ProductReceipt, line: ReceiptLine) -> Record:
    """One received line as the "Product receipt lines" map reads it."""
    return {
        "msdyn_purchaseorderreceipt.msdyn_name": receipt.receipt_id,
        "msdyn_company.cdm_companycode": order.company,
        "msdyn_purchaseorder.msdyn_name": order.name,
        "msdyn_purchaseorderproduct.msdyn_lineorder": line.line_number,
        "msdyn_product.msdyn_productnumber": line.product_id,
        "msdyn_receivingwarehouse.msdyn_warehouseidentifier": line.warehouse,
        "msdyn_quantity": line.quantity,
        "msdyn_orderedquantity": line.ordered_quantity,
        "msdyn_remainingquantity": line.remaining_quantity,
        "msdyn_datereceived": moment(receipt.receipt_date),
    }
