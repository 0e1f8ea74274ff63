"""The IncomingIndex on Table Storage: where each product's open document lines may be.

Table `IncomingSupply`: PartitionKey = escaped product id, RowKey = `<kind>|<document>|<line>`
(kind `po` or `to`, the line zero-padded to 6 so rows sort by line). Columns: Kind, DocumentId,
LineNumber, ProductId, Warehouse, QuantityRemaining (decimal text), ExpectedDate (ISO date or
empty) and Revision, the document revision that last wrote the row. The quantities and dates
are informative (as of that revision); `incoming` takes them from the documents.

`put` upserts a product's rows in transactions of up to 100. `remove` reads each row and
deletes it conditionally on that read's ETag, and only when no later revision wrote it, so a
writer that reopened the line in between keeps its row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from adapters.storage.entities import (
    MAX_BATCH_OPERATIONS,
    Entity,
    EntityValue,
    UpdateMode,
    Upsert,
)
from adapters.storage.keys import escape_key, join_key
from adapters.storage.table import Table
from domain.purchasing.common import IncomingSupply, SupplyKey, SupplyKind
from services.errors import ConcurrencyConflict

INCOMING_TABLE = "IncomingSupply"
KIND_CODES = {SupplyKind.PURCHASE_ORDER: "po", SupplyKind.TRANSFER_ORDER: "to"}


class TableIncomingIndex:
    """Rows of open purchase and transfer order lines, one partition per product."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def put(self, supplies: Sequence[IncomingSupply], revision: int) -> None:
        """Upsert a row per line, tagged with `revision`; one transaction per 100 of a product."""
        by_product: dict[str, list[Upsert]] = defaultdict(list)
        for supply in supplies:
            by_product[supply.product_id].append(Upsert(_row(supply, revision), UpdateMode.REPLACE))
        for upserts in by_product.values():
            for start in range(0, len(upserts), MAX_BATCH_OPERATIONS):
                self._table.submit(upserts[start : start + MAX_BATCH_OPERATIONS])

    def remove(self, keys: Sequence[SupplyKey], revision: int) -> None:
        """Delete each row unless a revision after `revision` wrote it; missing rows are fine."""
        for key in keys:
            partition, row_key = escape_key(key.product_id), _row_key(key)
            row = self._table.get(partition, row_key)
            if row is None or _int(row.properties.get("Revision", 0)) > revision:
                continue
            try:
                self._table.delete(partition, row_key, row.etag)
            except ConcurrencyConflict:
                continue  # rewritten since it was read: a later writer owns it now

    def keys(self, product_id: str) -> list[SupplyKey]:
        """The key of every row of the product, in row key order."""
        return [
            SupplyKey(
                product_id,
                SupplyKind(str(row.properties["Kind"])),
                str(row.properties["DocumentId"]),
                _int(row.properties["LineNumber"]),
            )  # fmt: skip
            for row in self._table.query(escape_key(product_id))
        ]


def _int(value: EntityValue) -> int:
    if isinstance(value, int):
        return value
    return int(str(value))


def _row_key(key: SupplyKey) -> str:
    return join_key(KIND_CODES[key.kind], key.document_id, f"{key.line_number:06d}")


def _row(supply: IncomingSupply, revision: int) -> Entity:
    key = SupplyKey(supply.product_id, supply.kind, supply.document_id, supply.line_number)
    expected = "" if supply.expected_date is None else supply.expected_date.isoformat()
    return Entity(escape_key(supply.product_id), _row_key(key), {
        "Kind": supply.kind.value, "DocumentId": supply.document_id,
        "LineNumber": supply.line_number, "ProductId": supply.product_id,
        "Warehouse": supply.warehouse, "QuantityRemaining": str(supply.quantity_remaining),
        "ExpectedDate": expected, "Revision": revision,
    })  # fmt: skip
