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
from typing import TypeVar

import azure.functions as func
from pydantic import BaseModel, ValidationError

from domain.errors import InvalidDefinition, NotPermitted
from services.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    InvalidInput,
    NotAllowed,
    NotFound,
    StorageUnavailable,
)

logger = logging.getLogger(__name__)

JsonBody = dict[str, object] | list[object]

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: no order, policy or flow is legitimately bigger

T = TypeVar("T", bound=BaseModel)


class BadRequest(Exception):
    """Input rejected before it reached a use case: status, code, message and field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.field = status, code, field


# Most specific first: the first matching class decides the status.
_STATUS_BY_ERROR: tuple[tuple[type[Exception], int], ...] = (
    (NotFound, 404),
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
    if isinstance(err, BadRequest):
        return json_response(error_body(err.code, str(err), err.field), err.status)
    if isinstance(err, InvalidDefinition):
        problems = [{"field": p.field, "message": p.message} for p in err.problems]
        first = err.problems[0].field if err.problems else None
        body = error_body("InvalidDefinition", str(err), first, problems=problems)
        return json_response(body, 400)
    if isinstance(err, InvalidInput):
        return json_response(error_body("InvalidRequest", str(err), err.field), 400)
    if isinstance(err, NotAllowed | NotPermitted):
        return json_response(error_body("NotAllowed", str(err), err.field), 409)
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


def parse_body(req: func.HttpRequest, model: type[T]) -> T:
    """The request's JSON body as a model: 413 over 1 MiB, 400 for bad JSON or bad fields."""
    body = req.get_body()
    if len(body) > MAX_BODY_BYTES:
        message = f"the body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}"
        raise BadRequest(413, "PayloadTooLarge", message)
    if not body.strip():
        raise BadRequest(400, "InvalidJson", "the request needs a JSON body")
    try:
        json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadRequest(400, "InvalidJson", f"the body is not valid JSON: {err}") from None
    return model.model_validate_json(body)


def query_int(req: func.HttpRequest, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high], else a 400 naming it."""
    raw = req.params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(400, "InvalidRequest", f"{name} must be an integer", name) from None
    if not low <= value <= high:
        message = f"{name} must be between {low} and {high}"
        raise BadRequest(400, "InvalidRequest", message, name)
    return value


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
