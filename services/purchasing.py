"""Purchasing ports: document repositories, the journal, the incoming index, receipt listeners.

The use cases are in `services.purchasing_cases` (class `Purchasing`).

Consistency of the incoming index (one partition per product, rows keyed by document line):
- The documents are the truth. A row only says "this document may have an open line for this
  product", so that `incoming(product)` reads a few documents instead of scanning them all.
- Before a document is written, rows are upserted for every line open in its new version,
  tagged with that revision. After the write, rows of lines no longer open are deleted, unless
  a later revision rewrote them. Every open line therefore always has a row, whatever fails
  when; a crash or a conflict can only leave extra rows behind.
- `incoming` reads the documents its rows point at and shows only their open lines, with their
  current quantities and dates, so an extra row is never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from domain.purchasing.common import IncomingSupply, SupplyKey
from domain.purchasing.orders import PurchaseOrder
from domain.purchasing.receipts import JournalEntry, ProductReceipt
from domain.purchasing.transfers import TransferOrder, TransferReceipt

T = TypeVar("T")
D = TypeVar("D")
R = TypeVar("R")


@dataclass(frozen=True)
class Stored(Generic[T]):
    """A document as read, with the opaque version its next save must match (the ETag)."""

    document: T
    version: str


@dataclass(frozen=True)
class DocumentPage(Generic[T]):
    """A page of documents and the token for the next page (None at the end)."""

    items: list[T]
    continuation: str | None


class DocumentRepository(Protocol[D, R]):
    """Documents (purchase or transfer orders), each with the receipts posted against it."""

    def get(self, document_id: str) -> Stored[D] | None:
        """The document and its version, or None."""
        ...

    def add(self, document: D) -> None:
        """Store a new document; EntityAlreadyExists if the id is taken."""
        ...

    def save(self, document: D, version: str, receipt: R | None = None) -> None:
        """Replace the document (and add the receipt) atomically if still at `version`.

        ConcurrencyConflict when the document changed since it was read; EntityAlreadyExists
        when the receipt id is taken. Nothing is written then.
        """
        ...

    def receipt(self, document_id: str, receipt_id: str) -> R | None:
        """A posted receipt, or None."""
        ...

    def receipts(self, document_id: str) -> list[R]:
        """Every receipt posted against the document, by receipt id."""
        ...

    def list(self, limit: int, continuation: str | None) -> DocumentPage[D]:
        """Documents in id order, at most `limit` a page; a forged token is InvalidInput."""
        ...


PurchaseOrderRepository = DocumentRepository[PurchaseOrder, ProductReceipt]
TransferOrderRepository = DocumentRepository[TransferOrder, TransferReceipt]


class JournalRepository(Protocol):
    """Inventory journal rows (under-delivery write-offs)."""

    def add(self, entry: JournalEntry) -> None:
        """Store the row; storing the same journal id again changes nothing (idempotent)."""
        ...

    def entries(self, product_id: str) -> list[JournalEntry]:
        """Every journal row of a product, by journal id."""
        ...


class IncomingIndex(Protocol):
    """Where each product's open document lines may be: the keys of `incoming` queries."""

    def put(self, supplies: Sequence[IncomingSupply], revision: int) -> None:
        """Upsert a row per open line, tagged with the document revision being written."""
        ...

    def remove(self, keys: Sequence[SupplyKey], revision: int) -> None:
        """Delete these rows unless a revision after `revision` wrote them; missing is fine."""
        ...

    def keys(self, product_id: str) -> list[SupplyKey]:
        """The keys of every row of the product (extras included; callers check documents)."""
        ...


class ReceiptListener(Protocol):
    """Told about every received quantity (purchase and transfer order receipts).

    Inventory adds the stock. Calls are at least once: a receipt sent again replays them, with
    the same `reference` (unique per receipt line, e.g. `PO/PO-1/R-1/1`), so dedupe on it.
    """

    def received(self, warehouse: str, product_id: str, quantity: Decimal, reference: str) -> None:
        """Stock arrived at a warehouse."""
        ...
