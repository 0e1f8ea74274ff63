"""JSON responses and the one mapping from application errors to HTTP status codes."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from functools import wraps

import azure.functions as func
from pydantic import ValidationError

from services.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    StorageUnavailable,
)

logger = logging.getLogger(__name__)

JsonBody = dict[str, object] | list[object]

# Most specific first: the first matching class decides the status.
_STATUS_BY_ERROR: tuple[tuple[type[Exception], int], ...] = (
    (ValidationError, 400),
    (ConcurrencyConflict, 409),
    (StorageUnavailable, 503),
    (ConfigurationError, 503),
)


def json_response(body: JsonBody, status_code: int = 200) -> func.HttpResponse:
    """A JSON HTTP response."""
    return func.HttpResponse(
        json.dumps(body, default=str), status_code=status_code, mimetype="application/json"
    )


def error_response(err: Exception) -> func.HttpResponse:
    """Map an exception to a JSON error; unexpected ones are logged with a correlation id."""
    if isinstance(err, ValidationError):
        fields = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in err.errors()
        ]
        return json_response({"error": "invalid request", "fields": fields}, 400)
    for error_type, status in _STATUS_BY_ERROR:
        if isinstance(err, error_type):
            return json_response({"error": str(err), "type": type(err).__name__}, status)
    correlation_id = uuid.uuid4().hex
    logger.exception("unhandled error (correlation id %s)", correlation_id)
    return json_response({"error": "internal error", "correlationId": correlation_id}, 500)


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
