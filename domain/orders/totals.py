"""Sales totals of an order: what they are computed from, how they are rounded, when they are stale.

Inputs: the open (not canceled) lines' quantity, unit price, discount, charges and tax, and the
header's freight amount, header tax and currency. `totals_basis` digests exactly those, so any
change to them, and nothing else, makes calculated totals stale.

Rounding (domain.money's one rule, ROUND_HALF_UP to the currency's minor unit): each component
(lines amount, discount, charges, freight, tax) is summed exactly in Decimal over the lines and
rounded once at the end. The total is the sum of those rounded components, so the printed parts
always add up to the printed total; it needs no rounding of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from domain.money import round_money
from domain.orders.model import OrderTotals, SalesOrder

BASIS_CHARS = 16  # 64 bits of sha256: a change going unnoticed by collision is not a concern


def totals_basis(order: SalesOrder) -> str:
    """A short digest of every input of the order's totals."""
    parts = [order.currency, _text(order.freight_amount), _text(order.header_tax)]
    for line in sorted(order.active_lines(), key=lambda line: line.line_id):
        amounts = (line.quantity, line.unit_price, line.discount, line.charges, line.tax)
        parts.append(line.line_id + "=" + ",".join(_text(amount) for amount in amounts))
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    return digest[:BASIS_CHARS]


def calculate_totals(order: SalesOrder, at: datetime) -> OrderTotals:
    """The order's totals over its open lines, each component rounded once to the currency."""
    lines = order.active_lines()
    currency = order.currency
    lines_amount = round_money(_sum(line.quantity * line.unit_price for line in lines), currency)
    discount = round_money(_sum(line.discount for line in lines), currency)
    charges = round_money(_sum(line.charges for line in lines), currency)
    freight = round_money(order.freight_amount, currency)
    tax = round_money(_sum(line.tax for line in lines) + order.header_tax, currency)
    return OrderTotals(
        lines_amount=lines_amount, discount=discount, charges=charges, freight=freight, tax=tax,
        total=lines_amount - discount + charges + freight + tax, calculated_at=at,
        basis=totals_basis(order),
    )  # fmt: skip


def totals_current(order: SalesOrder) -> bool:
    """True when the order's totals were calculated from its present inputs."""
    totals = order.totals
    return order.totals_calculated and totals is not None and totals.basis == totals_basis(order)


def mark_totals_stale(order: SalesOrder) -> bool:
    """Clear `totals_calculated` when the inputs moved since; True if it did."""
    if not order.totals_calculated or totals_current(order):
        return False
    order.totals_calculated = False
    return True


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))


def _text(amount: Decimal) -> str:
    """The amount's value as text: 1.50, 1.5 (and -0, 0) are the same input, so the same basis."""
    return format((amount + 0).normalize(), "f")
