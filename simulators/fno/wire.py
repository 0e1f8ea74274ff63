"""How the F&O simulator speaks: JSON and OData error bodies, filter dialect, event lines."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from simulators.fno.fields import Entity, EntityError

_ENUM_LITERAL = re.compile(r"Microsoft\.Dynamics\.DataEntities\.\w+'(\w+)'")
_BARE_DATETIME = re.compile(r"(?<![\w'])(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))")
_DATETIME_FIELDS = ("OrderCreationDateTime", "InvoiceDate", "ModifiedDateTime")


def event_line(line: Entity) -> dict[str, Any]:
    """A sales order line as business events carry it."""
    return {
        "inventoryLotId": line["InventoryLotId"],
        "customersLineNumber": line.get("CustomersLineNumber"),
        "itemNumber": line["ItemNumber"],
        "quantity": line["OrderedSalesQuantity"],
        "shippingWarehouseId": line.get("ShippingWarehouseId"),
        "status": line["SalesOrderLineStatus"],
    }


def to_hub_filter(expression: str) -> str:
    """F&O literals in the hub's dialect: enum symbols as strings, bare datetimes typed."""
    return _BARE_DATETIME.sub(r"datetime'\1'", _ENUM_LITERAL.sub(r"'\1'", expression))


def filterable(row: Entity) -> dict[str, Any]:
    """The row with its Edm.DateTimeOffset properties parsed, so filters compare instants."""
    record = dict(row)
    for name in _DATETIME_FIELDS:
        if isinstance(record.get(name), str):
            record[name] = datetime.fromisoformat(record[name])
    return record


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object body (EntityError 400 otherwise)."""
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
    except json.JSONDecodeError as err:
        raise EntityError(400, f"Invalid JSON: {err}") from err
    if not isinstance(body, dict):
        raise EntityError(400, "the body must be a JSON object")
    return body


def json_response(body: object, status: int) -> Response:
    """A JSON response with the OData version header."""
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["OData-Version"] = "4.0"
    return response


def odata_error(status: int, message: str) -> Response:
    """An OData error body, as F&O answers."""
    return json_response({"error": {"code": str(status), "message": message}}, status)
