"""Purchase and transfer order repositories and the inventory journal on Table Storage.

Tables `PurchaseOrders` and `TransferOrders`: one partition per document (PartitionKey = the
escaped document id) holding
- RowKey `document`: the current document as JSON (`Json`, `Json01`, ...) plus the columns
  Kind ('document'), DocumentId, Revision, Status, UpdatedAt and, per type, a few more (vendor,
  company, warehouses) for operators reading the table;
- RowKey `receipt|<receipt id>`: one posted receipt each (Kind 'receipt', ReceiptId, Json).
Saving is one entity group transaction: a REPLACE of the document row conditional on the ETag
it was read with, plus the Insert of the new receipt row, so a receipt is posted exactly once
and always together with the quantities it changed.

Table `InventoryJournal`: PartitionKey = escaped product id, RowKey = escaped journal id
(`PO/<order>/<receipt>/<line>`), the entry as JSON plus Warehouse, Quantity, Reason and
Reference columns; rows are upserted, so posting one again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from pydantic import BaseModel

from adapters.storage.entities import Entity, EntityValue, Insert, Operation, Update, UpdateMode
from adapters.storage.keys import escape_key, join_key, prefix_range
from adapters.storage.table import Table, joined_text, scan_up_to, text_properties
from domain.purchasing.orders import PurchaseOrder
from domain.purchasing.receipts import JournalEntry, ProductReceipt
from domain.purchasing.transfers import TransferOrder, TransferReceipt
from services.purchasing import DocumentPage, Stored

PURCHASE_ORDERS_TABLE = "PurchaseOrders"
TRANSFER_ORDERS_TABLE = "TransferOrders"
JOURNAL_TABLE = "InventoryJournal"
DOCUMENT_ROW = "document"
RECEIPT_PREFIX = "receipt"
# Requests one list() call may spend filling a page; the service may return short pages.
LIST_REQUESTS = 5

D = TypeVar("D", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


class TableDocumentRepository(Generic[D, R]):
    """Documents of one type, each in its own partition with its receipts."""

    def __init__(
        self,
        table: Table,
        document_type: type[D],
        receipt_type: type[R],
        identity: Callable[[D], str],
        receipt_identity: Callable[[R], str],
        columns: Callable[[D], dict[str, EntityValue]],
    ) -> None:
        self._table = table
        self._document_type = document_type
        self._receipt_type = receipt_type
        self._identity = identity
        self._receipt_identity = receipt_identity
        self._columns = columns

    def get(self, document_id: str) -> Stored[D] | None:
        """The document and its ETag, or None; one point read."""
        row = self._table.get(escape_key(document_id), DOCUMENT_ROW)
        if row is None or row.etag is None:
            return None
        return Stored(self._document(row), row.etag)

    def add(self, document: D) -> None:
        """Insert the document row; EntityAlreadyExists when the id is taken."""
        self._table.insert(self._row(document))

    def save(self, document: D, version: str, receipt: R | None = None) -> None:
        """Replace the document if its ETag is still `version`, adding the receipt atomically."""
        row = self._row(document)
        operations: list[Operation] = [
            Update(Entity(row.partition_key, row.row_key, row.properties, version),
                   UpdateMode.REPLACE)
        ]  # fmt: skip
        if receipt is not None:
            operations.append(Insert(self._receipt_row(row.partition_key, receipt)))
        self._table.submit(operations)

    def receipt(self, document_id: str, receipt_id: str) -> R | None:
        """A posted receipt, or None; one point read."""
        row = self._table.get(escape_key(document_id), join_key(RECEIPT_PREFIX, receipt_id))
        return None if row is None else self._receipt(row)

    def receipts(self, document_id: str) -> list[R]:
        """Every receipt of the document, by receipt id; one range query."""
        start, end = prefix_range(RECEIPT_PREFIX)
        rows = self._table.query(escape_key(document_id), row_key_from=start, row_key_before=end)
        return [self._receipt(row) for row in rows]

    def list(self, limit: int, continuation: str | None) -> DocumentPage[D]:
        """Documents in id order, at most `limit`; the token is the table's scan token."""
        page = scan_up_to(
            self._table, f"Kind eq '{DOCUMENT_ROW}'", limit, continuation=continuation,
            max_requests=LIST_REQUESTS,
        )  # fmt: skip
        return DocumentPage([self._document(row) for row in page.entities], page.continuation)

    def _row(self, document: D) -> Entity:
        json = document.model_dump_json(by_alias=True)
        properties: dict[str, EntityValue] = {
            **text_properties("Json", json), **self._columns(document), "Kind": DOCUMENT_ROW,
            "DocumentId": self._identity(document),
        }  # fmt: skip
        return Entity(escape_key(self._identity(document)), DOCUMENT_ROW, properties)

    def _receipt_row(self, partition: str, receipt: R) -> Entity:
        receipt_id = self._receipt_identity(receipt)
        properties: dict[str, EntityValue] = {
            **text_properties("Json", receipt.model_dump_json(by_alias=True)),
            "Kind": RECEIPT_PREFIX, "ReceiptId": receipt_id,
        }  # fmt: skip
        return Entity(partition, join_key(RECEIPT_PREFIX, receipt_id), properties)

    def _document(self, row: Entity) -> D:
        return self._document_type.model_validate_json(joined_text("Json", row.properties))

    def _receipt(self, row: Entity) -> R:
        return self._receipt_type.model_validate_json(joined_text("Json", row.properties))


class TablePurchaseOrderRepository(TableDocumentRepository[PurchaseOrder, ProductReceipt]):
    """Purchase orders and their product receipts."""

    def __init__(self, table: Table) -> None:
        super().__init__(
            table, PurchaseOrder, ProductReceipt, lambda o: o.purchase_order_id,
            lambda r: r.receipt_id, _po_columns,
        )  # fmt: skip


class TableTransferOrderRepository(TableDocumentRepository[TransferOrder, TransferReceipt]):
    """Transfer orders and their receipts."""

    def __init__(self, table: Table) -> None:
        super().__init__(
            table, TransferOrder, TransferReceipt, lambda o: o.transfer_order_id,
            lambda r: r.receipt_id, _to_columns,
        )  # fmt: skip


class TableJournal:
    """Inventory journal rows, one partition per product."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def add(self, entry: JournalEntry) -> None:
        """Upsert the row (REPLACE): posting the same journal id again changes nothing."""
        reference = f"{entry.purchase_order_id}/{entry.line_number}"
        properties: dict[str, EntityValue] = {
            **text_properties("Json", entry.model_dump_json(by_alias=True)),
            "JournalId": entry.journal_id, "ProductId": entry.product_id,
            "Warehouse": entry.warehouse, "Quantity": str(entry.quantity),
            "Reason": entry.reason, "Reference": reference,
        }  # fmt: skip
        row = Entity(escape_key(entry.product_id), escape_key(entry.journal_id), properties)
        self._table.upsert(row, UpdateMode.REPLACE)

    def entries(self, product_id: str) -> list[JournalEntry]:
        """Every row of the product, by journal id."""
        rows = self._table.query(escape_key(product_id))
        return [JournalEntry.model_validate_json(joined_text("Json", r.properties)) for r in rows]


def _po_columns(order: PurchaseOrder) -> dict[str, EntityValue]:
    return {
        "Revision": order.revision, "Status": order.status.value,
        "ApprovalStatus": order.approval_status.value, "Stage": order.stage.value,
        "VendorId": order.vendor_id, "Company": order.company,
        "ReceivingWarehouse": order.receiving_warehouse, "UpdatedAt": order.updated_at,
    }  # fmt: skip


def _to_columns(order: TransferOrder) -> dict[str, EntityValue]:
    return {
        "Revision": order.revision, "Status": order.status.value, "Company": order.company,
        "FromWarehouse": order.from_warehouse, "ToWarehouse": order.to_warehouse,
        "UpdatedAt": order.updated_at,
    }  # fmt: skip
