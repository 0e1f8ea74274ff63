"""JSON responses and the one mapping from errors to HTTP status codes.

Every error body has the same shape: `{"error": {"code", "message", "field"}}`, where `field`
names the offending input (dotted path) or is null.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from functools import wraps

import azure.functions as func
from pydantic import ValidationError

from services.errors import ConcurrencyConflict, ConfigurationError, StorageUnavailable

logger = logging.getLogger(__name__)

JsonBody = dict[str, object] | list[object]

# Most specific first: the first matching class decides the status.
_STATUS_BY_ERROR: tuple[tuple[type[Exception], int], ...] = (
    (ConcurrencyConflict, 409),
    (StorageUnavailable, 503),
    (ConfigurationError, 503),
)


def json_response(body: JsonBody, status_code: int = 200) -> func.HttpResponse:
    """A JSON HTTP response."""
    return func.HttpResponse(
        json.dumps(body, default=str), status_code=status_code, mimetype="application/json"
    )


def error_body(code: str, message: str, field: str | None = None, **extra: object) -> JsonBody:
    """The one error shape every endpoint answers with."""
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def error_response(err: Exception) -> func.HttpResponse:
    """Map an exception to a JSON error; unexpected ones are logged with a correlation id."""
    if isinstance(err, ValidationError):
        return _validation_response(err)
    for error_type, status in _STATUS_BY_ERROR:
        if isinstance(err, error_type):
            return json_response(error_body(type(err).__name__, str(err)), status)
    correlation_id = uuid.uuid4().hex
    logger.exception("unhandled error (correlation id %s)", correlation_id)
    body = error_body("InternalError", "internal error", correlationId=correlation_id)
    return json_response(body, 500)


def _validation_response(err: ValidationError) -> func.HttpResponse:
    problems = [
        {"field": ".".join(str(p) for p in e["loc"]) or None, "message": e["msg"]}
        for e in err.errors()
    ]
    first = problems[0]
    message = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
    body = error_body("InvalidRequest", message, first["field"], problems=problems)
    return json_response(body, 400)


def handle_errors(
    handler: Callable[[func.HttpRequest], func.HttpResponse],
) -> Callable[[func.HttpRequest], func.HttpResponse]:
    """Wrap an HTTP trigger so every exception becomes the mapped JSON error."""

    @wraps(handler)
    def wrapper(req: func.HttpRequest) -> func.HttpResponse:
        try:
            return handler(req)
        except Exception as err:  # the one place where errors become responses
            return error_response(err)

    return wrapper
