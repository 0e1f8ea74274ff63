"""Shared pieces of the purchasing documents: model bases, field types, errors and supply rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema

from domain.errors import DomainError

# Document and receipt ids: they appear in routes, keys and references (`PO/<id>/<receipt>/1`).
DocumentId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
ProductId = Annotated[str, Field(min_length=1, max_length=100)]
WarehouseId = Annotated[str, Field(min_length=1, max_length=50)]
LineNumber = Annotated[int, Field(ge=1, le=999_999)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)]
MAX_LINES = 250  # a document row stays far below the 1 MiB entity limit


class InvalidPurchasingInput(DomainError):
    """Input that breaks a purchasing rule (over-receipt, unknown line); `field` names it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _erp_owned(_: object) -> object:
    raise ValueError("owned by the ERP: only its status updates set it (read-only here)")


def _derived(_: object) -> object:
    raise ValueError("derived by the hub from receipts and status updates (read-only here)")


# Fields a client may not send on our create/edit API: present at all (even null) is a 400
# naming the field. They are left out of the request schema.
ErpOwned = SkipJsonSchema[Annotated[Any, AfterValidator(_erp_owned)]]
Derived = SkipJsonSchema[Annotated[Any, AfterValidator(_derived)]]


class InputModel(BaseModel):
    """Base for requests: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class DocumentModel(BaseModel):
    """Base for stored documents: camelCase on the wire; computed fields read back are ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class LineQuantity(InputModel):
    """A quantity for one line of a document (shipments and transfer receipts)."""

    line_number: LineNumber
    quantity: Quantity


class SupplyKind(StrEnum):
    """The documents that bring stock into a warehouse."""

    PURCHASE_ORDER = "purchase order"
    TRANSFER_ORDER = "transfer order"


class IncomingSupply(DocumentModel):
    """One open line of a purchase or transfer order: stock expected at a warehouse."""

    kind: SupplyKind
    document_id: str
    line_number: int
    product_id: str
    warehouse: str
    quantity_remaining: Decimal
    expected_date: date | None = None


@dataclass(frozen=True)
class SupplyKey:
    """Where a document line may appear in the incoming index: product, kind, document, line."""

    product_id: str
    kind: SupplyKind
    document_id: str
    line_number: int


def supply_key(supply: IncomingSupply) -> SupplyKey:
    """The index key of an incoming supply line."""
    return SupplyKey(supply.product_id, supply.kind, supply.document_id, supply.line_number)


def check_line_numbers(numbers: Sequence[int], field: str = "lines") -> None:
    """Refuse a line number given twice (the field names the second)."""
    seen: set[int] = set()
    for index, number in enumerate(numbers):
        if number in seen:
            message = f"line number {number} appears more than once"
            raise InvalidPurchasingInput(message, f"{field}.{index}.lineNumber")
        seen.add(number)


def unknown_line(number: int, known: Iterable[int], index: int) -> InvalidPurchasingInput:
    """The error for a line number the document does not have."""
    listed = ", ".join(str(n) for n in sorted(known)) or "none"
    message = f"the document has no line {number} (its lines: {listed})"
    return InvalidPurchasingInput(message, f"lines.{index}.lineNumber")


def check_dates(start: date | None, end: date | None, field: str) -> None:
    """Refuse an end date (receive) before its start date (ship)."""
    if start is not None and end is not None and end < start:
        raise InvalidPurchasingInput(f"{end} is before {start}", field)
