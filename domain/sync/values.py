"""Canonical text of a field value, so values read from JSON, tables and models compare equal.

Decimals compare by value (10, 10.0 and "10.00" are the same amount), datetimes in UTC to the
second, dates and booleans in one spelling, blank strings as absent. Used by the echo guard and
the conflict check, which must not mistake a reformatted value for a change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

from domain.filters import FilterValue

ABSENT = ""


def canonical(value: FilterValue | date) -> str:
    """One text per value: equal values give equal texts whatever their type on the wire."""
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return _number(Decimal(str(value)) if isinstance(value, float) else Decimal(value))
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).isoformat()
    if isinstance(value, UUID):
        return str(value)
    return _text(value)


def _number(value: Decimal) -> str:
    if value == 0:
        return "0"
    normal = value.normalize()
    return format(normal, "f")


def _text(value: str) -> str:
    text = value.strip()
    if not text:
        return ABSENT
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is not None and ("T" in text or len(text) == 10):
        return canonical(moment)
    if len(text) > 1 and text[0] == "0" and text[1].isdigit():
        return text  # a code with leading zeros (a postal code, a number sequence), not an amount
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return _number(number) if number.is_finite() else text
