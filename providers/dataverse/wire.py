"""Dataverse JSON and `$filter` literals: Decimal-exact both ways, date-times in UTC."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

_DECIMAL_MARK = "\x00decimal:"
_MARKED = re.compile(r'"\\u0000decimal:([-0-9.]+)"')
_GUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")


def loads(text: str) -> Any:
    """Parse a response body; numbers with a fraction become Decimal, never float."""
    return json.loads(text, parse_float=Decimal)


def dumps(value: object) -> str:
    """A request body: Decimals written digit for digit, date-times as ISO 8601 UTC."""
    return _MARKED.sub(r"\1", json.dumps(_plain(value)))


def utc_text(moment: datetime) -> str:
    """An Edm.DateTimeOffset in UTC with a `Z` (a naive value is taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def literal(value: object, *, guid: bool = False) -> str:
    """A `$filter` literal as Dataverse writes it (GUIDs and date-times unquoted)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, UUID) or (guid and isinstance(value, str) and _GUID.fullmatch(value)):
        return str(value).lower()
    escaped = str(value).replace("'", "''")
    return f"'{escaped}'"


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{_DECIMAL_MARK}{value:f}"
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
