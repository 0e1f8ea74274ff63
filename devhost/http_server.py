"""The WSGI application serving HTTP triggers and the admin API, and its werkzeug server."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import azure.functions as func
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from devhost.auth import KeyRing, presented_key
from devhost.invoker import Invoker
from devhost.loader import FunctionDef
from devhost.routes import Router

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from devhost.admin import AdminApi

logger = logging.getLogger(__name__)

HTTP_TRIGGER = "httpTrigger"
ADMIN_PREFIX = "/admin/"
# Azure rejects request bodies over 100 MB.
MAX_REQUEST_BYTES = 100 * 1024 * 1024


def trigger_methods(fn: FunctionDef) -> list[str] | None:
    """The HTTP methods a trigger accepts; None means every method."""
    methods = getattr(fn.trigger, "methods", None)
    if not methods:
        return None
    return [str(getattr(m, "value", m)).upper() for m in methods]


def trigger_route(fn: FunctionDef) -> str:
    """The trigger's route template (the function name when none is given)."""
    return str(getattr(fn.trigger, "route", None) or fn.name)


def build_router(functions: Iterable[FunctionDef], route_prefix: str) -> Router[FunctionDef]:
    """A router over the HTTP-triggered functions."""
    router: Router[FunctionDef] = Router(route_prefix)
    for fn in functions:
        if fn.trigger_type == HTTP_TRIGGER:
            router.add(trigger_route(fn), trigger_methods(fn), fn)
    return router


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Repeated names folded into one comma-separated value, as the host hands them over."""
    merged: dict[str, str] = {}
    for name, value in pairs:
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def to_function_request(request: Request, route_params: dict[str, str]) -> func.HttpRequest:
    """The func.HttpRequest for a werkzeug request."""
    return func.HttpRequest(
        method=request.method,
        url=request.url,
        headers=_joined(request.headers.items()),
        params=_joined(request.args.items(multi=True)),
        route_params=route_params,
        body=request.get_data(cache=False),
    )


def to_response(result: Any) -> Response:
    """The HTTP response for a function's return value, as the worker encodes it."""
    if isinstance(result, str):
        return Response(result, 200, content_type="text/plain; charset=utf-8")
    if result is None:
        return Response(status=204)
    if not isinstance(result, func.HttpResponse):
        raise TypeError(f"HTTP function returned {type(result).__name__}, not HttpResponse")
    headers = Headers(list(result.headers.items()))
    if "content-type" not in headers:
        charset = f"; charset={result.charset}" if result.mimetype.startswith("text/") else ""
        headers["Content-Type"] = result.mimetype + charset
    return Response(result.get_body(), status=result.status_code, headers=headers)


def json_response(status: int, payload: Any) -> Response:
    """A JSON response."""
    return Response(json.dumps(payload), status=status, content_type="application/json")


class FunctionsApp:
    """WSGI app: /admin/* to the admin API, everything else to HTTP-triggered functions."""

    def __init__(
        self, router: Router[FunctionDef], invoker: Invoker, keys: KeyRing, admin: AdminApi
    ) -> None:
        self._router = router
        self._invoker = invoker
        self._keys = keys
        self._admin = admin

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_REQUEST_BYTES
        try:
            response = self.dispatch(request)
        except HTTPException as err:  # e.g. 413 for a body over the limit
            return err(environ, start_response)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """The response for one request."""
        if request.path.lower().startswith(ADMIN_PREFIX):
            return self._admin.handle(request)
        match = self._router.match(request.path, request.method)
        if match.target is None:
            return Response(status=405 if match.method_not_allowed else 404)
        fn = match.target
        key = presented_key(request)
        if not self._keys.allows(getattr(fn.trigger, "auth_level", None), fn.name, key):
            return Response(status=401)
        return self._invoke(fn, to_function_request(request, match.values))

    def _invoke(self, fn: FunctionDef, request: func.HttpRequest) -> Response:
        outcome = self._invoker.invoke(fn, request)
        if outcome.error is not None:
            return self._failure(fn, outcome.invocation_id, outcome.error)
        try:
            return to_response(outcome.result)
        except TypeError as err:
            logger.exception("Functions.%s: invalid HTTP result", fn.name)
            return self._failure(fn, outcome.invocation_id, err)

    @staticmethod
    def _failure(fn: FunctionDef, invocation_id: str, error: BaseException) -> Response:
        message = f"Exception while executing function: Functions.{fn.name}: {error!r}"
        return json_response(500, {"error": message, "invocationId": invocation_id})


def start_server(app: FunctionsApp, host: str, port: int) -> BaseWSGIServer:
    """A threaded werkzeug server bound to host:port (not yet serving)."""
    return make_server(host, port, app, threaded=True)
