"""How the Sales simulator speaks: Decimal-exact JSON, Dataverse errors, filter dialect, $expand."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from werkzeug.wrappers import Request, Response

Entity = dict[str, Any]

# Dataverse error codes (the hex codes the Web API answers with), by what went wrong.
NOT_FOUND = "0x80040217"  # ObjectDoesNotExist
KEY_NOT_FOUND = "0x80060892"  # a record with the specified key values does not exist
BAD_PROPERTY = "0x80060888"  # the property does not exist on the type
INVALID_ARGUMENT = "0x80040203"
DUPLICATE = "0x80040237"
VERSION_MISMATCH = "0x80060882"  # If-Match did not match the row version
BUSINESS_RULE = "0x80040265"  # a plug-in (business rule) refused the operation
THROTTLED = "0x80072322"  # service protection: number of requests exceeded the limit
UNAUTHORIZED = "0x80072560"

_BARE_DATETIME = re.compile(r"(?<![\w'])(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))")
_DATETIME_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_EXPAND = re.compile(r"(\w+)(?:\(\$select=([\w,]+)\))?")
_DECIMAL_MARK = "\x00decimal:"
_MARKED = re.compile(r'"\\u0000decimal:([-0-9.]+)"')


class EntityError(Exception):
    """A request Dataverse would refuse: the HTTP status and Dataverse error code to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def timestamp(moment: datetime) -> str:
    """An Edm.DateTimeOffset as Dataverse writes it (UTC, seconds, `Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_hub_filter(expression: str) -> str:
    """Dataverse literals in the hub's dialect: bare datetimes typed (bare GUIDs already parse)."""
    return _BARE_DATETIME.sub(r"datetime'\1'", expression)


def filterable(row: Entity) -> dict[str, Any]:
    """The row with its date-time strings parsed, so filters compare instants."""
    return {
        name: datetime.fromisoformat(value)
        if isinstance(value, str) and _DATETIME_VALUE.fullmatch(value)
        else value
        for name, value in row.items()
    }


def parse_expand(text: str) -> dict[str, list[str] | None]:
    """`nav($select=a,b),other` as {nav: [a, b], other: None}; EntityError 400 when malformed."""
    expanded: dict[str, list[str] | None] = {}
    position = 0
    while position < len(text):
        match = _EXPAND.match(text, position)
        if match is None:
            raise EntityError(400, INVALID_ARGUMENT, f"Invalid $expand at {text[position:]!r}")
        expanded[match.group(1)] = match.group(2).split(",") if match.group(2) else None
        position = match.end()
        if position < len(text):
            if text[position] != ",":
                raise EntityError(400, INVALID_ARGUMENT, f"Invalid $expand at {text[position:]!r}")
            position += 1
    return expanded


def parse_orderby(text: str) -> list[tuple[str, bool]]:
    """`a desc,b` as [(a, True), (b, False)] (True = descending)."""
    order: list[tuple[str, bool]] = []
    for part in filter(None, (item.strip() for item in text.split(","))):
        name, _, direction = part.partition(" ")
        if direction.strip() not in ("", "asc", "desc"):
            raise EntityError(400, INVALID_ARGUMENT, f"Invalid $orderby {part!r}")
        order.append((name, direction.strip() == "desc"))
    return order


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object body, fractions as Decimal (EntityError 400 otherwise)."""
    try:
        body = json.loads(request.get_data(as_text=True) or "{}", parse_float=Decimal)
    except json.JSONDecodeError as err:
        raise EntityError(400, INVALID_ARGUMENT, f"Invalid JSON: {err}") from err
    if not isinstance(body, dict):
        raise EntityError(400, INVALID_ARGUMENT, "the body must be a JSON object")
    return body


def dumps(value: object) -> str:
    """JSON text with Decimals written digit for digit (never through float)."""
    return _MARKED.sub(r"\1", json.dumps(_marked(value)))


def _marked(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{_DECIMAL_MARK}{value:f}"
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(item) for item in value]
    return value


def json_response(body: object, status: int) -> Response:
    """A JSON response with the OData version header."""
    response = Response(dumps(body), status=status, mimetype="application/json")
    response.headers["OData-Version"] = "4.0"
    return response


def dataverse_error(status: int, code: str, message: str) -> Response:
    """A Dataverse Web API error body."""
    return json_response({"error": {"code": code, "message": message}}, status)
