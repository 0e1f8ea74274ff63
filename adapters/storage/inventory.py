"""The InventoryStore on Table Storage (the supply index is in `supply`).

Layout of the Inventory table, one partition per product (PartitionKey = escaped product id):
- `bal|<source id>`: the balance: SourceId, ProductId, OnHand and Reserved (exact Decimals as
  plain-notation strings), UpdatedAt (time of the last movement);
- `mov|<UTC time, ISO with microseconds>|<movement id>`: the append-only ledger, one row per
  movement: MovementId, Kind, SourceId, ProductId, Quantity (signed), Reference, At;
- `ref|reservation|<reference>`: a reservation: Reference, SourceId, ProductId, Requested,
  Reserved, Shipped, Released;
- `ref|<receipt|adjustment|shipment>|<source id>|<reference>`: marks an operation as applied.
A change is ONE entity group transaction in the product's partition: the balance replaced
conditionally on its ETag (inserted when new), the ledger row inserted, the reservation
inserted or replaced on its ETag, the operation row inserted. A concurrent writer fails the
ETag (ConcurrencyConflict, retried by the service); a repeat fails an insert (EntityAlreadyExists).

Partition `claim|<reference>`, RowKey `claim`: the first request made with a reservation
reference (Reference, SourceId, ProductId, Quantity), so a reference leads to its product.
Product partitions never hold a raw `|` (escaped), so they never meet a claim partition.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from adapters.storage.entities import (
    Entity,
    EntityValue,
    Insert,
    Operation,
    Update,
    UpdateMode,
)
from adapters.storage.keys import escape_key, join_key, prefix_range
from adapters.storage.table import Table
from domain.inventory.stock import ZERO, Movement, MovementKind, StockBalance
from services.errors import ConcurrencyConflict, EntityAlreadyExists
from services.inventory_ports import (
    OperationKey,
    Reservation,
    ReservationClaim,
    StockChange,
    Versioned,
)

INVENTORY_TABLE = "Inventory"
CLAIM_ROW = "claim"


class TableInventoryStore:
    """Balances, ledger and reservations of a product in its own partition."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def balance(self, source_id: str, product_id: str) -> Versioned[StockBalance]:
        """The balance with its ETag; a zero balance with no handle when none is stored."""
        row = self._table.get(product_partition(product_id), balance_key(source_id))
        if row is None:
            return Versioned(StockBalance(source_id, product_id))
        return Versioned(_balance(row), row.etag)

    def balances(self, product_id: str) -> list[StockBalance]:
        """Every stored balance of the product, by source id (one range read)."""
        low, high = prefix_range("bal")
        rows = self._table.query(
            product_partition(product_id), row_key_from=low, row_key_before=high
        )
        return [_balance(row) for row in rows]

    def movements(self, product_id: str) -> list[Movement]:
        """The product's ledger, oldest first."""
        low, high = prefix_range("mov")
        rows = self._table.query(
            product_partition(product_id), row_key_from=low, row_key_before=high
        )
        return [_movement(row) for row in rows]

    def reservation(self, product_id: str, reference: str) -> Versioned[Reservation] | None:
        """The reference's reservation with its ETag, or None."""
        row = self._table.get(product_partition(product_id), reservation_key(reference))
        return None if row is None else Versioned(_reservation(row), row.etag)

    def claim(self, claim: ReservationClaim) -> tuple[ReservationClaim, bool]:
        """Insert the claim if the reference has none: (the stored claim, whether it is new)."""
        for _ in range(3):  # the claim row is never deleted, so the second read finds it
            try:
                self._table.insert(_claim_row(claim))
            except EntityAlreadyExists:
                stored = self.find_claim(claim.reference)
                if stored is not None:
                    return stored, False
                continue
            return claim, True
        raise ConcurrencyConflict(f"the claim of {claim.reference} keeps changing")

    def find_claim(self, reference: str) -> ReservationClaim | None:
        """The reference's claim, or None."""
        row = self._table.get(claim_partition(reference), CLAIM_ROW)
        if row is None:
            return None
        props = row.properties
        return ReservationClaim(
            reference=str(props["Reference"]),
            source_id=str(props["SourceId"]),
            product_id=str(props["ProductId"]),
            quantity=_decimal(props["Quantity"]),
        )

    def applied(self, product_id: str, key: OperationKey) -> bool:
        """Whether the operation's row exists."""
        return self._table.get(product_partition(product_id), operation_key(key)) is not None

    def commit(self, change: StockChange) -> None:
        """Write the change in one entity group transaction."""
        partition = product_partition(change.product_id)
        operations: list[Operation] = []
        if change.balance is not None:
            row = Entity(
                partition, balance_key(change.balance.value.source_id),
                _balance_columns(change.balance.value),
            )  # fmt: skip
            operations.append(_write(row, change.balance.handle))
        if change.movement is not None:
            operations.append(Insert(_movement_row(partition, change.movement)))
        if change.reservation is not None:
            reservation = change.reservation.value
            row = Entity(
                partition, reservation_key(reservation.reference), _reservation_columns(reservation)
            )
            operations.append(_write(row, change.reservation.handle))
        if change.operation is not None:
            key = change.operation
            columns: dict[str, EntityValue] = {
                "Kind": key.kind.value, "SourceId": key.source_id, "Reference": key.reference,
            }  # fmt: skip
            operations.append(Insert(Entity(partition, operation_key(key), columns)))
        if operations:
            self._table.submit(operations)

    def _rows(self, product_id: str, prefix: str) -> list[Entity]:
        low, high = prefix_range(prefix)
        partition = product_partition(product_id)
        return list(self._table.query(partition, row_key_from=low, row_key_before=high))


def product_partition(product_id: str) -> str:
    """PartitionKey of a product's balances, ledger and reservations."""
    return escape_key(product_id)


def claim_partition(reference: str) -> str:
    """PartitionKey of a reservation reference's claim."""
    return join_key("claim", reference)


def balance_key(source_id: str) -> str:
    """RowKey of the balance at a source."""
    return join_key("bal", source_id)


def movement_key(movement: Movement) -> str:
    """RowKey of a ledger row: time order, then movement id."""
    stamp = movement.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return join_key("mov", stamp, movement.movement_id)


def reservation_key(reference: str) -> str:
    """RowKey of a reservation."""
    return join_key("ref", "reservation", reference)


def operation_key(key: OperationKey) -> str:
    """RowKey of an applied receipt, adjustment or shipment."""
    return join_key("ref", key.kind.value.lower(), key.source_id, key.reference)


def _write(row: Entity, handle: object) -> Operation:
    """Insert a new row, or replace it conditionally on the ETag it was read with."""
    if handle is None:
        return Insert(row)
    if not isinstance(handle, str):
        raise TypeError(f"not a handle this store issued: {handle!r}")
    return Update(
        Entity(row.partition_key, row.row_key, row.properties, handle), UpdateMode.REPLACE
    )


def _text(value: Decimal) -> str:
    """An exact Decimal in plain notation (never `1E+3`)."""
    return format(value, "f")


def _decimal(value: EntityValue) -> Decimal:
    return Decimal(str(value))


def _at(row: Entity) -> datetime:
    at = row.properties["At"]
    if not isinstance(at, datetime):
        raise TypeError(f"row {row.row_key!r} has no time")
    return at


def _balance_columns(balance: StockBalance) -> dict[str, EntityValue]:
    columns: dict[str, EntityValue] = {
        "SourceId": balance.source_id, "ProductId": balance.product_id,
        "OnHand": _text(balance.on_hand), "Reserved": _text(balance.reserved),
    }  # fmt: skip
    if balance.updated_at is not None:
        columns["UpdatedAt"] = balance.updated_at
    return columns


def _balance(row: Entity) -> StockBalance:
    props = row.properties
    updated_at = props.get("UpdatedAt")
    return StockBalance(
        source_id=str(props["SourceId"]),
        product_id=str(props["ProductId"]),
        on_hand=_decimal(props["OnHand"]),
        reserved=_decimal(props["Reserved"]),
        updated_at=updated_at if isinstance(updated_at, datetime) else None,
    )


def _movement_row(partition: str, movement: Movement) -> Entity:
    columns: dict[str, EntityValue] = {
        "MovementId": movement.movement_id, "Kind": movement.kind.value,
        "SourceId": movement.source_id, "ProductId": movement.product_id,
        "Quantity": _text(movement.quantity), "Reference": movement.reference, "At": movement.at,
    }  # fmt: skip
    return Entity(partition, movement_key(movement), columns)


def _movement(row: Entity) -> Movement:
    props = row.properties
    return Movement(
        movement_id=str(props["MovementId"]),
        kind=MovementKind(str(props["Kind"])),
        source_id=str(props["SourceId"]),
        product_id=str(props["ProductId"]),
        quantity=_decimal(props["Quantity"]),
        reference=str(props["Reference"]),
        at=_at(row),
    )


def _reservation_columns(reservation: Reservation) -> dict[str, EntityValue]:
    return {
        "Reference": reservation.reference, "SourceId": reservation.source_id,
        "ProductId": reservation.product_id, "Requested": _text(reservation.requested),
        "Reserved": _text(reservation.reserved), "Shipped": _text(reservation.shipped),
        "Released": _text(reservation.released),
    }  # fmt: skip


def _reservation(row: Entity) -> Reservation:
    props = row.properties
    return Reservation(
        reference=str(props["Reference"]),
        source_id=str(props["SourceId"]),
        product_id=str(props["ProductId"]),
        requested=_decimal(props["Requested"]),
        reserved=_decimal(props["Reserved"]),
        shipped=_decimal(props.get("Shipped", _text(ZERO))),
        released=_decimal(props.get("Released", _text(ZERO))),
    )


def _claim_row(claim: ReservationClaim) -> Entity:
    columns: dict[str, EntityValue] = {
        "Reference": claim.reference, "SourceId": claim.source_id,
        "ProductId": claim.product_id, "Quantity": _text(claim.quantity),
    }  # fmt: skip
    return Entity(claim_partition(claim.reference), CLAIM_ROW, columns)
