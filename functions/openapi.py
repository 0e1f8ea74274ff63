"""GET /api/openapi.json: the OpenAPI 3.1 document of every HTTP route (anonymous)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import azure.functions as func
from pydantic.json_schema import models_json_schema

from functions._http import MAX_BODY_BYTES, handle_errors, json_response
from functions._openapi_operations import MODELS, OPERATIONS, Operation, Ref
from functions._openapi_supply import SUPPLY_MODELS, SUPPLY_OPERATIONS
from functions._openapi_sync import SYNC_MODELS, SYNC_OPERATIONS

bp = func.Blueprint()

Schema = dict[str, Any]

_PATH_PARAMETER = re.compile(r"{(\w+)}")

_KEYED: list[Schema] = [{"functionKeyHeader": []}, {"functionKeyQuery": []}]

_PROBLEM: Schema = {
    "type": "object",
    "required": ["field", "message"],
    "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}},
}

_ERROR: Schema = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string", "examples": ["InvalidRequest", "NotFound"]},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"], "description": "the offending input"},
                "problems": {"type": "array", "items": _PROBLEM},
                "correlationId": {"type": "string", "description": "500s only; in the logs"},
            },
        }
    },
}

_LOCATION: Schema = {
    "description": "The URL of the record",
    "schema": {"type": "string", "format": "uri"},
}

_ERROR_RESPONSES: dict[str, str] = {
    "400": "Invalid input: bad JSON, a bad field or an invalid definition (`field` names it)",
    "404": "No such record",
    "409": "The record's state forbids it, or it changed meanwhile",
    "413": f"The body is over {MAX_BODY_BYTES} bytes",
    "503": "Storage is unavailable or the app is misconfigured; retry later",
}


@bp.function_name("get_openapi")
@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handle_errors
def get_openapi(req: func.HttpRequest) -> func.HttpResponse:
    """The OpenAPI 3.1 document describing every HTTP route of the app."""
    return json_response(openapi_document())


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document, built once from the operation table and the pydantic models."""
    refs, defs = models_json_schema(
        [*MODELS, *SUPPLY_MODELS, *SYNC_MODELS],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    schemas: Schema = {**defs.get("$defs", {}), "Error": _ERROR}
    paths: dict[str, dict[str, Schema]] = {}
    for operation in (*OPERATIONS, *SUPPLY_OPERATIONS, *SYNC_OPERATIONS):
        item = _operation(operation, refs)
        paths.setdefault(operation.path, {})[operation.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Order hub",
            "version": "1.0.0",
            "description": "Order intake, orchestration, policies, flows and operator errors.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                status: _json(description, {"$ref": "#/components/schemas/Error"})
                for status, description in _ERROR_RESPONSES.items()
            },
            "securitySchemes": {
                "functionKeyHeader": {"type": "apiKey", "in": "header", "name": "x-functions-key"},
                "functionKeyQuery": {"type": "apiKey", "in": "query", "name": "code"},
            },
        },
    }


def _operation(operation: Operation, refs: dict[Any, Schema]) -> Schema:
    responses: Schema = {
        status: _response(description, schema, refs)
        for status, (description, schema) in operation.responses.items()
    }
    if operation.location is not None:
        responses[operation.location]["headers"] = {"Location": _LOCATION}
    errors = list(operation.errors) + ([] if operation.anonymous else ["503"])
    responses.update({s: {"$ref": f"#/components/responses/{s}"} for s in errors})
    if not operation.anonymous:
        responses["401"] = {"description": "Missing or wrong function key"}
    item: Schema = {
        "operationId": operation.name,
        "summary": operation.summary,
        "tags": [operation.tag],
        "security": [] if operation.anonymous else _KEYED,
        "responses": dict(sorted(responses.items())),
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAMETER.findall(operation.path)
    ] + [{"in": "query", **query} for query in operation.query]
    if parameters:
        item["parameters"] = parameters
    if operation.body is not None:
        item["requestBody"] = {
            "required": operation.body_required,
            "content": {"application/json": {"schema": refs[(operation.body, "validation")]}},
        }
    return item


def _response(description: str, schema: Schema | None, refs: dict[Any, Schema]) -> Schema:
    if schema is None:
        return {"description": description}
    return _json(description, _resolve(schema, refs))


def _resolve(schema: Any, refs: dict[Any, Schema]) -> Any:
    # The operation table names output models as Ref(Model); swap in their $refs.
    if isinstance(schema, Ref):
        return refs[(schema.model, "serialization")]
    if isinstance(schema, dict):
        return {key: _resolve(value, refs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_resolve(value, refs) for value in schema]
    return schema


def _json(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}
