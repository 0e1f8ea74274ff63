"""The values a filter compares and the tree the parser builds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeAlias
from uuid import UUID

FilterValue: TypeAlias = str | int | float | Decimal | bool | datetime | UUID | None


class Op(StrEnum):
    """A comparison operator."""

    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A record field, named by identifier or `/` path (`order/msdyn_company`)."""

    name: str
    position: int


@dataclass(frozen=True, slots=True)
class Constant:
    """A literal value."""

    value: FilterValue
    position: int


Operand: TypeAlias = FieldRef | Constant


@dataclass(frozen=True, slots=True)
class Comparison:
    """`left op right`; at least one side is a constant."""

    op: Op
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Not:
    """Negation of an expression."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class And:
    """True when every operand is (a flattened chain of `and`)."""

    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """True when any operand is (a flattened chain of `or`)."""

    operands: tuple[Expr, ...]


Expr: TypeAlias = Comparison | Not | And | Or
