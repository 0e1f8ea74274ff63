"""Evaluates a parsed filter against one record, with Dataverse-style null and type semantics.

- A missing field is null. `x eq null` is true iff x is null or missing; `x ne null` iff it is not.
- Against a non-null value, null is `ne` (true) and never `eq`; `gt ge lt le` with a null side are
  false. So `statuscode ne 100003` matches a record without statuscode, as Dataverse does. Table
  Storage differs: there a missing or null property never matches, not even with `ne`.
- Numbers (int, float, Decimal) compare by value; with a Decimal side the other side becomes a
  Decimal (a float via `str`), so Decimal stays exact. NaN is unordered: only `ne` is true.
- bool compares only with bool (never with 0 or 1). Strings compare by code point, case-sensitive.
  datetimes compare as instants, a naive one taken as UTC. UUIDs compare with UUIDs, or with a
  string holding a GUID (any letter case).
- Any other pairing is a type mismatch: false for every operator except `ne`, which is true.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from domain.filters.lexer import GUID
from domain.filters.nodes import And, Comparison, Constant, Expr, FilterValue, Not, Op, Operand, Or

_T = TypeVar("_T", str, bool, float, Decimal, datetime, UUID)
_ORDERINGS = {
    Op.EQ: (0,),
    Op.NE: (-1, 1),
    Op.GT: (1,),
    Op.GE: (0, 1),
    Op.LT: (-1,),
    Op.LE: (-1, 0),
}


def evaluate(node: Expr, record: Mapping[str, FilterValue]) -> bool:
    """True when the record satisfies the expression."""
    match node:
        case Comparison(op, left, right):
            return compare(op, _resolve(left, record), _resolve(right, record))
        case Not(operand):
            return not evaluate(operand, record)
        case And(operands):
            return all(evaluate(operand, record) for operand in operands)
        case Or(operands):
            return any(evaluate(operand, record) for operand in operands)


def compare(op: Op, left: FilterValue, right: FilterValue) -> bool:
    """Apply one comparison operator with the module's null and type rules."""
    if left is None or right is None:
        if op is Op.EQ:
            return left is right
        return op is Op.NE and left is not right
    order = _three_way(left, right)
    if order is None:
        return op is Op.NE
    return order in _ORDERINGS[op]


def _resolve(operand: Operand, record: Mapping[str, FilterValue]) -> FilterValue:
    if isinstance(operand, Constant):
        return operand.value
    return record.get(operand.name)


def _three_way(left: object, right: object) -> int | None:
    """-1, 0 or 1 as left is below, equal to or above right; None when they do not compare."""
    if isinstance(left, bool) and isinstance(right, bool):
        return _sign(left, right)
    if isinstance(left, bool) or isinstance(right, bool):
        return None
    if isinstance(left, int | float | Decimal) and isinstance(right, int | float | Decimal):
        return _compare_numbers(left, right)
    if isinstance(left, str) and isinstance(right, str):
        return _sign(left, right)
    if isinstance(left, datetime) and isinstance(right, datetime):
        return _sign(_as_utc(left), _as_utc(right))
    uuids = _as_uuids(left, right)
    return _sign(*uuids) if uuids else None


def _sign(left: _T, right: _T) -> int:
    return int(left > right) - int(left < right)


def _compare_numbers(left: int | float | Decimal, right: int | float | Decimal) -> int | None:
    if _is_nan(left) or _is_nan(right):
        return None
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return _sign(_as_decimal(left), _as_decimal(right))
    return _sign(left, right)


def _is_nan(number: int | float | Decimal) -> bool:
    if isinstance(number, Decimal):
        return number.is_nan()
    return isinstance(number, float) and math.isnan(number)


def _as_decimal(number: int | float | Decimal) -> Decimal:
    return Decimal(str(number)) if isinstance(number, float) else Decimal(number)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment


def _as_uuids(left: object, right: object) -> tuple[UUID, UUID] | None:
    """Both sides as UUIDs when one is a UUID and the other a UUID or a GUID string."""
    if not (isinstance(left, UUID) or isinstance(right, UUID)):
        return None
    first, second = _to_uuid(left), _to_uuid(right)
    return (first, second) if first and second else None


def _to_uuid(value: object) -> UUID | None:
    if isinstance(value, UUID):
        return value
    if isinstance(value, str) and GUID.fullmatch(value):
        return UUID(value)
    return None
