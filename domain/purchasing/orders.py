"""The purchase order document: header, lines, the mirrored ERP statuses and their stage.

The ERP owns a purchase order's process. It sends two statuses (dual-write names):
PURCHASEORDERSTATUS none/backorder/received/invoiced/canceled and DOCUMENTAPPROVALSTATUS
draft/inReview/rejected/approved/inExternalReview/confirmed/finalized. `stage_of` folds them into
one stage, the state machine of the hub:

    draft --confirm--> confirmed --(receipts / ERP)--> received --ERP--> invoiced
      |                  |  ^                                 \\--ERP--> invoiced
      |                  |  \\-- change request (approval back to draft)
      \\--------------------+--ERP--> cancelled  (only while nothing was received)

- draft: status none/backorder with approval draft/inReview/rejected/approved/inExternalReview.
- confirmed: status none/backorder with approval confirmed. The only stage where our edit API
  and product receipts are allowed.
- received / invoiced / cancelled: status received / invoiced / canceled, whatever the approval
  (confirmed or finalized). These stages are finalized: nothing changes them but the ERP.
- Approval finalized with status none/backorder is a contradiction and refused.

The ERP may skip stages (a purchase order first seen when already invoiced) but never goes back,
except confirmed -> draft (a change request under change management).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, computed_field

from domain.purchasing.common import (
    DocumentId,
    DocumentModel,
    InvalidPurchasingInput,
    LineNumber,
    ProductId,
    WarehouseId,
)


class PurchaseOrderStatus(StrEnum):
    """PurchStatus, for headers and lines (msdyn_purchaseorderstatus 192350000-192350004)."""

    NONE = "none"
    BACKORDER = "backorder"  # "Open order"
    RECEIVED = "received"
    INVOICED = "invoiced"
    CANCELED = "canceled"


class ApprovalStatus(StrEnum):
    """VersioningDocumentState (msdyn_documentapprovalstatus 192350000-192350006)."""

    DRAFT = "draft"
    IN_REVIEW = "inReview"
    REJECTED = "rejected"
    APPROVED = "approved"
    IN_EXTERNAL_REVIEW = "inExternalReview"
    FINALIZED = "finalized"
    CONFIRMED = "confirmed"


class Stage(StrEnum):
    """The hub's state of a purchase order, derived from the two ERP statuses."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"
    RECEIVED = "received"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({PurchaseOrderStatus.NONE, PurchaseOrderStatus.BACKORDER})
FINALIZED_STAGES = frozenset({Stage.RECEIVED, Stage.INVOICED, Stage.CANCELLED})
_STAGE_OF_CLOSED_STATUS = {
    PurchaseOrderStatus.RECEIVED: Stage.RECEIVED,
    PurchaseOrderStatus.INVOICED: Stage.INVOICED,
    PurchaseOrderStatus.CANCELED: Stage.CANCELLED,
}
_FORWARD = frozenset({Stage.CONFIRMED, Stage.RECEIVED, Stage.INVOICED, Stage.CANCELLED})

# The stages an ERP status update may move a purchase order to, from each stage.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.DRAFT: frozenset({Stage.DRAFT}) | _FORWARD,
    Stage.CONFIRMED: frozenset({Stage.DRAFT}) | _FORWARD,
    Stage.RECEIVED: frozenset({Stage.RECEIVED, Stage.INVOICED}),
    Stage.INVOICED: frozenset({Stage.INVOICED}),
    Stage.CANCELLED: frozenset({Stage.CANCELLED}),
}


def stage_of(status: PurchaseOrderStatus, approval: ApprovalStatus) -> Stage:
    """The stage of a pair of ERP statuses; a contradictory pair is refused."""
    if status in _STAGE_OF_CLOSED_STATUS:
        return _STAGE_OF_CLOSED_STATUS[status]
    if approval == ApprovalStatus.CONFIRMED:
        return Stage.CONFIRMED
    if approval == ApprovalStatus.FINALIZED:
        message = f"approval finalized needs status received, invoiced or canceled, not {status}"
        raise InvalidPurchasingInput(message, "approvalStatus")
    return Stage.DRAFT


class PurchaseOrderLine(DocumentModel):
    """A purchase order product: what we ordered, what the ERP priced and what arrived."""

    line_number: LineNumber
    product_id: ProductId
    description: str | None = Field(default=None, max_length=1000)
    quantity: Decimal = Field(gt=0)
    unit: str = Field(default="ea", min_length=1, max_length=10)
    warehouse: WarehouseId  # defaults to the header's receiving warehouse
    expected_date: date | None = None  # defaults to the header's requested delivery date
    confirmed_date: date | None = None  # ERP-owned
    unit_price: Decimal | None = None  # ERP-owned (trade agreements)
    discount_amount: Decimal | None = None  # ERP-owned
    discount_percentage: Decimal | None = None  # ERP-owned
    net_amount: Decimal | None = None  # ERP-owned
    received_quantity: Decimal = Decimal(0)
    written_off_quantity: Decimal = Decimal(0)  # under-delivery closed by a receipt
    status: PurchaseOrderStatus = PurchaseOrderStatus.NONE
    deleted: bool = False  # removed by an edit; kept so its line number is never reused

    @computed_field  # type: ignore[prop-decorator]
    @property
    def remaining_quantity(self) -> Decimal:
        """Still on order: ordered - received - written off (never below 0)."""
        return max(self.quantity - self.received_quantity - self.written_off_quantity, Decimal(0))

    @property
    def is_open(self) -> bool:
        """Still expecting stock: not deleted, an open status and something remaining."""
        return not self.deleted and self.status in OPEN_STATUSES and self.remaining_quantity > 0

    @property
    def has_receipts(self) -> bool:
        """Something was received or written off on this line."""
        return self.received_quantity > 0 or self.written_off_quantity > 0


class PurchaseOrder(DocumentModel):
    """A purchase order as the hub stores it (IOM msdyn_purchaseorder and its products)."""

    purchase_order_id: DocumentId
    name: str | None = Field(default=None, max_length=100)  # the ERP's purchase order number
    vendor_id: str = Field(min_length=1, max_length=100)
    vendor_reference: str | None = Field(default=None, max_length=100)
    company: str = Field(min_length=1, max_length=10)
    receiving_site: str = Field(min_length=1, max_length=50)
    receiving_warehouse: WarehouseId
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    requested_delivery_date: date | None = None
    confirmed_delivery_date: date | None = None  # ERP-owned
    status: PurchaseOrderStatus = PurchaseOrderStatus.NONE
    approval_status: ApprovalStatus = ApprovalStatus.DRAFT
    lines: list[PurchaseOrderLine] = Field(default_factory=list)
    revision: int = Field(default=1, ge=1)  # +1 on every change
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stage(self) -> Stage:
        """The hub's stage of the order (see the module docstring)."""
        return stage_of(self.status, self.approval_status)

    def line(self, number: int) -> PurchaseOrderLine | None:
        """The line with this number (deleted lines included), or None."""
        return next((line for line in self.lines if line.line_number == number), None)

    def live_lines(self) -> list[PurchaseOrderLine]:
        """The lines that were not deleted."""
        return [line for line in self.lines if not line.deleted]


def settle_line(line: PurchaseOrderLine) -> PurchaseOrderLine:
    """The line with the status its quantities imply (closed when nothing remains)."""
    if line.deleted or line.status in (PurchaseOrderStatus.INVOICED, PurchaseOrderStatus.CANCELED):
        return line
    if line.remaining_quantity == 0:
        received = line.received_quantity > 0
        status = PurchaseOrderStatus.RECEIVED if received else PurchaseOrderStatus.CANCELED
    elif line.status == PurchaseOrderStatus.RECEIVED or line.has_receipts:
        status = PurchaseOrderStatus.BACKORDER
    else:
        status = line.status
    return line.model_copy(update={"status": status})


def changed(order: PurchaseOrder, now: datetime, **update: object) -> PurchaseOrder:
    """A copy with the update applied, the next revision and the new change time."""
    return order.model_copy(
        update={**update, "revision": order.revision + 1, "updated_at": now}
    )  # fmt: skip
