"""Purchasing over MemoryTables for service and HTTP tests, with a recording receipt listener."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from adapters.storage.incoming import INCOMING_TABLE, TableIncomingIndex
from adapters.storage.memory_table import MemoryTableService
from adapters.storage.purchasing import (
    JOURNAL_TABLE,
    PURCHASE_ORDERS_TABLE,
    TRANSFER_ORDERS_TABLE,
    TableJournal,
    TablePurchaseOrderRepository,
    TableTransferOrderRepository,
)
from services.purchasing_cases import Purchasing
from tests.fakes import FixedClock

PURCHASING_TABLES = (PURCHASE_ORDERS_TABLE, TRANSFER_ORDERS_TABLE, JOURNAL_TABLE, INCOMING_TABLE)


@dataclass
class SequentialIds:
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self) -> str:
        return f"id-{next(self.counter):04d}"


@dataclass
class RecordingListener:
    """Records every `received` call: (warehouse, product, quantity, reference)."""

    calls: list[tuple[str, str, Decimal, str]] = field(default_factory=list)

    def received(self, warehouse: str, product_id: str, quantity: Decimal, reference: str) -> None:
        self.calls.append((warehouse, product_id, quantity, reference))


@dataclass
class PurchasingHub:
    purchasing: Purchasing
    listener: RecordingListener
    clock: FixedClock
    tables: MemoryTableService


def make_purchasing() -> PurchasingHub:
    tables = MemoryTableService()
    tables.create_tables(PURCHASING_TABLES)
    clock, listener = FixedClock(), RecordingListener()
    purchasing = Purchasing(
        purchase_orders=TablePurchaseOrderRepository(tables.table(PURCHASE_ORDERS_TABLE)),
        transfer_orders=TableTransferOrderRepository(tables.table(TRANSFER_ORDERS_TABLE)),
        journal=TableJournal(tables.table(JOURNAL_TABLE)),
        index=TableIncomingIndex(tables.table(INCOMING_TABLE)),
        listener=listener,
        clock=clock,
        ids=SequentialIds(),
    )
    return PurchasingHub(purchasing, listener, clock, tables)


def po_body(**overrides: Any) -> dict[str, Any]:
    """A purchase order of 10 P-1 (line 1) and 4 P-2 (line 2) into warehouse WH-1."""
    body: dict[str, Any] = {
        "vendorId": "V-100", "company": "usmf", "receivingSite": "SITE-1",
        "receivingWarehouse": "WH-1", "currency": "USD", "requestedDeliveryDate": "2026-12-01",
        "lines": [
            {"lineNumber": 1, "productId": "P-1", "quantity": "10"},
            {"lineNumber": 2, "productId": "P-2", "quantity": "4", "warehouse": "WH-2",
             "expectedDate": "2026-12-05"},
        ],
    }  # fmt: skip
    return {**body, **overrides}


def to_body(**overrides: Any) -> dict[str, Any]:
    """A transfer order of 6 P-1 (line 1) and 2 P-3 (line 2) from WH-2 to WH-1."""
    body: dict[str, Any] = {
        "company": "usmf", "fromWarehouse": "WH-2", "toWarehouse": "WH-1",
        "shipDate": "2026-11-25", "receiveDate": "2026-11-28",
        "lines": [
            {"lineNumber": 1, "productId": "P-1", "quantity": "6"},
            {"lineNumber": 2, "productId": "P-3", "quantity": "2", "receiveDate": "2026-11-30"},
        ],
    }  # fmt: skip
    return {**body, **overrides}


CONFIRMED = {"status": "backorder", "approvalStatus": "confirmed"}
