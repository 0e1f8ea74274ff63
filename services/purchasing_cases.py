"""Purchasing use cases: purchase orders mirrored from the ERP, receipts, transfer orders, supply.

Every change reads the document, applies a domain rule and saves it conditionally on the
version read; the incoming index is kept as `services.purchasing` describes. After a receipt
is saved, its journal rows are upserted and the listener told about each received line. Sending
the same receipt again (same id and lines) replays those steps and answers the posted receipt,
so a retry after a crash completes the work (at least once; the listener dedupes by reference).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

from domain.errors import NotPermitted
from domain.purchasing import editing, receipts, transfers
from domain.purchasing.common import (
    IncomingSupply,
    InvalidPurchasingInput,
    SupplyKind,
    supply_key,
)
from domain.purchasing.incoming import incoming, supply_keys, supply_lines
from domain.purchasing.orders import PurchaseOrder
from domain.purchasing.receipts import ProductReceipt, receipt_reference
from domain.purchasing.transfers import TransferOrder, TransferReceipt
from services.errors import (
    ConcurrencyConflict,
    EntityAlreadyExists,
    InvalidInput,
    NotAllowed,
    NotFound,
)
from services.ports import Clock, IdGenerator
from services.purchasing import (
    DocumentPage,
    DocumentRepository,
    IncomingIndex,
    JournalRepository,
    PurchaseOrderRepository,
    ReceiptListener,
    Stored,
    TransferOrderRepository,
)

SAVE_ATTEMPTS = 3  # a receipt reloads and tries again when another write got in first
D = TypeVar("D", PurchaseOrder, TransferOrder)
R = TypeVar("R", ProductReceipt, TransferReceipt)


@contextmanager
def _rules() -> Iterator[None]:
    """The domain's refusals as service errors: InvalidInput (400) and NotAllowed (409)."""
    try:
        yield
    except InvalidPurchasingInput as err:
        raise InvalidInput(str(err), err.field) from err
    except NotPermitted as err:
        raise NotAllowed(str(err), err.field) from err


@dataclass
class Purchasing:
    """Purchase and transfer orders, their receipts, and the incoming supply of products."""

    purchase_orders: PurchaseOrderRepository
    transfer_orders: TransferOrderRepository
    journal: JournalRepository
    index: IncomingIndex
    listener: ReceiptListener
    clock: Clock
    ids: IdGenerator

    # Purchase orders

    def create_purchase_order(self, new: editing.NewPurchaseOrder) -> tuple[PurchaseOrder, bool]:
        """Store a draft purchase order; a known id with the same content answers it again.

        Returns the order and whether it was created now.
        """
        order_id = new.purchase_order_id or self.ids.new_id()
        build = partial(editing.create_purchase_order, new, order_id)
        return self._create(self.purchase_orders, order_id, build)

    def purchase_order(self, order_id: str) -> PurchaseOrder:
        """The purchase order, or NotFound."""
        return self._purchase_order(order_id).document

    def purchase_order_receipts(self, order_id: str) -> list[ProductReceipt]:
        """The product receipts posted against the purchase order."""
        self._purchase_order(order_id)
        return self.purchase_orders.receipts(order_id)

    def list_purchase_orders(
        self, limit: int, continuation: str | None = None
    ) -> DocumentPage[PurchaseOrder]:
        """A page of purchase orders in id order."""
        return self.purchase_orders.list(limit, continuation)

    def edit_purchase_order(
        self, order_id: str, definition: editing.PurchaseOrderDefinition
    ) -> PurchaseOrder:
        """Replace header and lines; NotAllowed unless confirmed by the ERP and not finalized."""
        stored = self._purchase_order(order_id)
        with _rules():
            edited = editing.edit_purchase_order(stored.document, definition, self.clock.now())
        self._save(self.purchase_orders, stored, edited)
        return edited

    def mirror_erp_status(self, order_id: str, update: editing.ErpStatusUpdate) -> PurchaseOrder:
        """Apply an ERP status update: statuses, PO number, dates, prices and line statuses."""
        stored = self._purchase_order(order_id)
        with _rules():
            mirrored = editing.apply_erp_update(stored.document, update, self.clock.now())
        self._save(self.purchase_orders, stored, mirrored)
        return mirrored

    def post_receipt(
        self, order_id: str, receipt: receipts.ProductReceiptInput
    ) -> tuple[ProductReceipt, bool]:
        """Post a product receipt (idempotent by receipt id); returns it and whether it is new."""
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            stored = self._purchase_order(order_id)
            posted = self.purchase_orders.receipt(order_id, receipt.receipt_id)
            if posted is not None:
                if not receipts.same_receipt(posted, receipt):
                    message = f"receipt {receipt.receipt_id} was already posted with other lines"
                    raise NotAllowed(message, "receiptId")
                self._heal_index(stored.document, {line.line_number for line in posted.lines})
                self._after_receipt(posted)
                return posted, False
            now = self.clock.now()
            with _rules():
                order, posted = receipts.post_receipt(stored.document, receipt, now, now.date())
            try:
                self._save(self.purchase_orders, stored, order, posted)
            except ConcurrencyConflict:
                if attempt == SAVE_ATTEMPTS:
                    raise
                continue
            self._after_receipt(posted)
            return posted, True
        raise AssertionError("unreachable")  # pragma: no cover

    # Transfer orders

    def create_transfer_order(self, new: transfers.NewTransferOrder) -> tuple[TransferOrder, bool]:
        """Store a Created transfer order; a known id with the same content answers it again."""
        order_id = new.transfer_order_id or self.ids.new_id()
        build = partial(transfers.create_transfer_order, new, order_id)
        return self._create(self.transfer_orders, order_id, build)

    def transfer_order(self, order_id: str) -> TransferOrder:
        """The transfer order, or NotFound."""
        return self._transfer_order(order_id).document

    def transfer_order_receipts(self, order_id: str) -> list[TransferReceipt]:
        """The receipts posted against the transfer order."""
        self._transfer_order(order_id)
        return self.transfer_orders.receipts(order_id)

    def list_transfer_orders(
        self, limit: int, continuation: str | None = None
    ) -> DocumentPage[TransferOrder]:
        """A page of transfer orders in id order."""
        return self.transfer_orders.list(limit, continuation)

    def ship_transfer_order(
        self, order_id: str, shipment: transfers.ShipTransferOrder
    ) -> TransferOrder:
        """Record a shipment (all of what is not shipped yet when no lines are given)."""
        stored = self._transfer_order(order_id)
        with _rules():
            shipped = transfers.ship_transfer_order(stored.document, shipment, self.clock.now())
        self._save(self.transfer_orders, stored, shipped)
        return shipped

    def receive_transfer_order(
        self, order_id: str, receipt: transfers.ReceiveTransferOrder
    ) -> tuple[TransferOrder, TransferReceipt, bool]:
        """Receive shipped stock (idempotent by receipt id); the order, receipt and if new."""
        receipt_id = receipt.receipt_id or self.ids.new_id()
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            stored = self._transfer_order(order_id)
            posted = self.transfer_orders.receipt(order_id, receipt_id)
            if posted is not None:
                if not transfers.same_transfer_receipt(posted, receipt):
                    message = f"receipt {receipt_id} was already posted with other lines"
                    raise NotAllowed(message, "receiptId")
                self._heal_index(stored.document, {line.line_number for line in posted.lines})
                self._tell_listener(posted)
                return stored.document, posted, False
            now = self.clock.now()
            with _rules():
                order, posted = transfers.receive_transfer_order(
                    stored.document, receipt, receipt_id, now, now.date()
                )
            try:
                self._save(self.transfer_orders, stored, order, posted)
            except ConcurrencyConflict:
                if attempt == SAVE_ATTEMPTS:
                    raise
                continue
            self._tell_listener(posted)
            return order, posted, True
        raise AssertionError("unreachable")  # pragma: no cover

    # Incoming supply

    def incoming(self, product_id: str) -> list[IncomingSupply]:
        """Open purchase and transfer order lines of the product, soonest expected first."""
        keys = self.index.keys(product_id)
        ids = {kind: sorted({k.document_id for k in keys if k.kind == kind}) for kind in SupplyKind}
        documents: list[PurchaseOrder | TransferOrder] = []
        for po_id in ids[SupplyKind.PURCHASE_ORDER]:
            if (po := self.purchase_orders.get(po_id)) is not None:
                documents.append(po.document)
        for to_id in ids[SupplyKind.TRANSFER_ORDER]:
            if (to := self.transfer_orders.get(to_id)) is not None:
                documents.append(to.document)
        return incoming(product_id, documents)

    # Helpers

    def _purchase_order(self, order_id: str) -> Stored[PurchaseOrder]:
        return _found(self.purchase_orders.get(order_id), f"purchase order {order_id}")

    def _transfer_order(self, order_id: str) -> Stored[TransferOrder]:
        return _found(self.transfer_orders.get(order_id), f"transfer order {order_id}")

    def _create(
        self, repository: DocumentRepository[D, R], document_id: str,
        build: Callable[[datetime], D],
    ) -> tuple[D, bool]:  # fmt: skip
        """Add the document built now; if the id is taken, answer the stored one if the same."""
        stored = repository.get(document_id)
        if stored is None:
            with _rules():
                document = build(self.clock.now())
            try:
                self._add(repository, document)
            except EntityAlreadyExists:
                stored = repository.get(document_id)
            else:
                return document, True
        if stored is None:
            raise ConcurrencyConflict(f"document {document_id} vanished while being created")
        with _rules():
            again = build(stored.document.created_at)
        if stored.document != again:
            name = "purchaseOrderId" if isinstance(again, PurchaseOrder) else "transferOrderId"
            raise NotAllowed(f"{name} is taken by a different or since changed document", name)
        self.index.put(supply_lines(stored.document), stored.document.revision)
        return stored.document, False

    def _add(self, repository: DocumentRepository[D, R], document: D) -> None:
        self.index.put(supply_lines(document), document.revision)
        repository.add(document)

    def _save(
        self, repository: DocumentRepository[D, R], stored: Stored[D], new: D,
        receipt: R | None = None,
    ) -> None:  # fmt: skip
        """Index rows for open lines, the conditional save, then drop rows of lines now closed."""
        still_open = supply_lines(new)
        self.index.put(still_open, new.revision)
        repository.save(new, stored.version, receipt)
        kept = {supply_key(s) for s in still_open}
        closed = [k for s in supply_lines(stored.document) if (k := supply_key(s)) not in kept]
        self.index.remove(closed, new.revision)

    def _heal_index(self, document: D, line_numbers: set[int]) -> None:
        """A receipt sent again: redo the index work a crash may have cut short."""
        still_open = supply_lines(document)
        self.index.put(still_open, document.revision)
        kept = {supply_key(s) for s in still_open}
        closed = [
            k for k in supply_keys(document) if k.line_number in line_numbers and k not in kept
        ]
        self.index.remove(closed, document.revision)

    def _after_receipt(self, receipt: ProductReceipt) -> None:
        for entry in receipt.journal:
            self.journal.add(entry)
        self._tell_listener(receipt)

    def _tell_listener(self, receipt: ProductReceipt | TransferReceipt) -> None:
        if isinstance(receipt, ProductReceipt):
            code, document_id = "PO", receipt.purchase_order_id
        else:
            code, document_id = "TO", receipt.transfer_order_id
        for line in receipt.lines:
            if line.quantity > 0:
                reference = receipt_reference(
                    code, document_id, receipt.receipt_id, line.line_number
                )
                self.listener.received(line.warehouse, line.product_id, line.quantity, reference)


def _found(stored: Stored[D] | None, what: str) -> Stored[D]:
    if stored is None:
        raise NotFound(f"{what} does not exist")
    return stored
