"""Behaviour of the purchasing repositories, the journal and the incoming index, on any Table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.storage.incoming import TableIncomingIndex
from adapters.storage.purchasing import (
    TableJournal,
    TablePurchaseOrderRepository,
    TableTransferOrderRepository,
)
from adapters.storage.table import InvalidContinuation
from domain.purchasing.common import IncomingSupply, SupplyKey, SupplyKind
from domain.purchasing.editing import NewPurchaseOrder, create_purchase_order
from domain.purchasing.orders import ApprovalStatus, PurchaseOrderStatus
from domain.purchasing.receipts import JournalEntry, ProductReceiptInput, post_receipt
from domain.purchasing.transfers import NewTransferOrder, create_transfer_order
from services.errors import ConcurrencyConflict, EntityAlreadyExists
from tests.support.ids import random_id
from tests.support.purchasing import po_body, to_body

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ODD_PRODUCT = "P/1#?\\%|x"  # every character a key may not hold, and our escapes


def purchase_order(order_id=None, lines=None):
    body = po_body() if lines is None else po_body(lines=lines)
    order = create_purchase_order(
        NewPurchaseOrder.model_validate(body), order_id or random_id("po"), T0
    )
    update = {"status": PurchaseOrderStatus.BACKORDER, "approval_status": ApprovalStatus.CONFIRMED}
    return order.model_copy(update=update)


def receipt_for(order, receipt_id="R-1", quantity="7"):
    given = ProductReceiptInput.model_validate(
        {
            "receiptId": receipt_id,
            "lines": [{"lineNumber": 1, "quantity": quantity, "closeLine": True}],
        }
    )
    return post_receipt(order, given, T0, date(2026, 11, 23))


def supply(product_id="P-1", document_id="PO-1", line_number=1, kind=SupplyKind.PURCHASE_ORDER):
    return IncomingSupply(
        kind=kind, document_id=document_id, line_number=line_number, product_id=product_id,
        warehouse="WH-1", quantity_remaining=Decimal("2.5"), expected_date=date(2026, 12, 1),
    )  # fmt: skip


def key(s: IncomingSupply) -> SupplyKey:
    return SupplyKey(s.product_id, s.kind, s.document_id, s.line_number)


class PurchasingRepositoryContract:
    """Subclasses provide `make_table`: a factory of created, uniquely named tables."""

    @pytest.fixture
    def orders(self, make_table) -> TablePurchaseOrderRepository:
        return TablePurchaseOrderRepository(make_table())

    @pytest.fixture
    def transfers(self, make_table) -> TableTransferOrderRepository:
        return TableTransferOrderRepository(make_table())

    @pytest.fixture
    def journal(self, make_table) -> TableJournal:
        return TableJournal(make_table())

    @pytest.fixture
    def index(self, make_table) -> TableIncomingIndex:
        return TableIncomingIndex(make_table())

    # Documents

    def test_a_purchase_order_reads_back_as_stored_with_a_version(self, orders):
        order = purchase_order()
        orders.add(order)

        stored = orders.get(order.purchase_order_id)

        assert stored.document == order
        assert stored.version
        assert orders.get("nope") is None

    def test_an_id_is_taken_once(self, orders):
        order = purchase_order()
        orders.add(order)

        with pytest.raises(EntityAlreadyExists):
            orders.add(order)

    def test_a_save_posts_the_receipt_with_the_document(self, orders):
        order = purchase_order()
        orders.add(order)
        stored = orders.get(order.purchase_order_id)
        changed, posted = receipt_for(order)

        orders.save(changed, stored.version, posted)

        assert orders.get(order.purchase_order_id).document == changed
        assert orders.receipt(order.purchase_order_id, "R-1") == posted
        assert orders.receipts(order.purchase_order_id) == [posted]
        assert orders.receipt(order.purchase_order_id, "R-2") is None

    def test_a_stale_save_writes_nothing(self, orders):
        order = purchase_order()
        orders.add(order)
        first = orders.get(order.purchase_order_id)
        orders.save(order.model_copy(update={"revision": 2}), first.version)
        changed, posted = receipt_for(order)

        with pytest.raises(ConcurrencyConflict):
            orders.save(changed, first.version, posted)

        assert orders.get(order.purchase_order_id).document.revision == 2
        assert orders.receipts(order.purchase_order_id) == []

    def test_a_receipt_id_is_posted_once(self, orders):
        order = purchase_order()
        orders.add(order)
        changed, posted = receipt_for(order)
        orders.save(changed, orders.get(order.purchase_order_id).version, posted)
        again = orders.get(order.purchase_order_id)

        with pytest.raises(EntityAlreadyExists):
            orders.save(changed.model_copy(update={"revision": 9}), again.version, posted)

        assert orders.get(order.purchase_order_id).document == changed

    def test_a_large_order_round_trips(self, orders):
        lines = [{"lineNumber": n, "productId": f"P-{n}", "quantity": "1",
                  "description": "x" * 900} for n in range(1, 251)]  # fmt: skip
        order = purchase_order(lines=lines)
        orders.add(order)

        assert orders.get(order.purchase_order_id).document == order

    def test_lists_page_through_documents_in_id_order(self, orders):
        ids = sorted(random_id("po") for _ in range(5))
        for order_id in ids:
            order = purchase_order(order_id)
            orders.add(order)
            orders.save(*receipt_for(order)[:1], orders.get(order_id).version)

        seen, token = [], None
        while True:
            page = orders.list(2, token)
            seen += [o.purchase_order_id for o in page.items]
            if (token := page.continuation) is None:
                break

        assert seen == ids

    def test_a_forged_continuation_is_refused(self, orders):
        with pytest.raises(InvalidContinuation):
            orders.list(2, "not-a-token")

    def test_a_transfer_order_reads_back_as_stored(self, transfers):
        order = create_transfer_order(
            NewTransferOrder.model_validate(to_body()), random_id("to"), T0
        )
        transfers.add(order)

        assert transfers.get(order.transfer_order_id).document == order
        assert transfers.list(10, None).items == [order]

    # Journal

    def test_journal_rows_are_idempotent_and_listed_per_product(self, journal):
        entry = JournalEntry(
            journal_id="PO/PO-1/R-1/1", product_id=ODD_PRODUCT, warehouse="WH-1",
            quantity=Decimal(3), purchase_order_id="PO-1", line_number=1, receipt_id="R-1",
            posted_at=T0,
        )  # fmt: skip
        journal.add(entry)
        journal.add(entry)

        assert journal.entries(ODD_PRODUCT) == [entry]
        assert journal.entries("P-other") == []

    # Incoming index

    def test_rows_are_found_by_product(self, index):
        transfer = supply(ODD_PRODUCT, "TO-1", 1, SupplyKind.TRANSFER_ORDER)
        rows = [supply(ODD_PRODUCT, "PO-1", 2), transfer, supply("P-2", "PO-1", 1)]
        index.put(rows, 1)

        assert index.keys(ODD_PRODUCT) == [key(rows[0]), key(rows[1])]
        assert index.keys("P-2") == [key(rows[2])]
        assert index.keys("P-none") == []

    def test_more_than_a_transaction_of_rows_for_one_product(self, index):
        rows = [supply("P-1", "PO-1", n) for n in range(1, 131)]
        index.put(rows, 1)

        assert len(index.keys("P-1")) == 130

    def test_remove_deletes_rows_no_later_revision_wrote(self, index):
        older, newer = supply("P-1", "PO-1", 1), supply("P-1", "PO-1", 2)
        index.put([older], 3)
        index.put([newer], 5)

        index.remove([key(older), key(newer), key(supply("P-9", "PO-1", 1))], 4)

        assert index.keys("P-1") == [key(newer)]
        index.remove([key(newer)], 5)
        assert index.keys("P-1") == []
