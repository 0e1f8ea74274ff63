"""OData v4 as F&O reads and writes it: URL literals, entity keys, JSON values both ways.

Strings are quoted with `'` doubled; numbers, booleans and datetimes are bare; F&O enums take
their namespace-qualified form. Response bodies are parsed with JSON decimals as Decimal, and
request bodies write Decimal as a JSON number and datetimes as ISO 8601 UTC (`Z`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote as percent_encode
from uuid import UUID

from services.providers.gateway import PermanentProviderFailure

_ENUM_NAMESPACE = "Microsoft.Dynamics.DataEntities"
# Enum-typed properties of the sales order entities, by the F&O enum they hold.
ENUM_FIELDS = {
    "SalesOrderStatus": "SalesStatus",
    "SalesOrderLineStatus": "SalesStatus",
    "SalesOrderProcessingStatus": "SalesOrderProcessingStatus",
    "IsDeliveryAddressOrderSpecific": "NoYes",
}


def quote(value: str) -> str:
    """An OData string literal (single quotes doubled)."""
    escaped = value.replace("'", "''")
    return f"'{escaped}'"


def enum_literal(enum: str, symbol: str) -> str:
    """An F&O enum literal for `$filter`: `Microsoft.Dynamics.DataEntities.<Enum>'<Symbol>'`."""
    return f"{_ENUM_NAMESPACE}.{enum}'{symbol}'"


def datetime_literal(moment: datetime) -> str:
    """An OData v4 Edm.DateTimeOffset literal in UTC (milliseconds only when it has them)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if utc.microsecond:
        return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def literal(value: object, name: str | None = None) -> str:
    """A URL literal for a value (an enum literal when `name` is an enum-typed property)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return format(value, "f") if isinstance(value, Decimal) else repr(value)
    if isinstance(value, datetime):
        return datetime_literal(value)
    if name in ENUM_FIELDS and isinstance(value, str):
        return enum_literal(ENUM_FIELDS[name], value)
    return quote(str(value))


def entity_key(key: Mapping[str, object]) -> str:
    """The `(a='x',b=2)` segment that addresses one record, percent-encoded for the path."""
    if not key or any(value is None for value in key.values()):
        raise PermanentProviderFailure(f"F&O record key is incomplete: {dict(key)}")
    text = ",".join(f"{name}={literal(value)}" for name, value in key.items())
    return f"({percent_encode(text, safe=chr(39) + '(),=:.-_')})"


def equals_filter(fields: Mapping[str, object]) -> str:
    """`$filter` text requiring each field to equal its value."""
    return " and ".join(f"{name} eq {literal(value, name)}" for name, value in fields.items())


def to_json(value: object) -> Any:
    """A value as JSON can carry it: Decimal as a number, datetimes as ISO 8601 UTC."""
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return datetime_literal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def from_json(content: bytes) -> Any:
    """A response body with its decimal numbers as Decimal (integers stay int)."""
    return json.loads(content, parse_float=Decimal)
