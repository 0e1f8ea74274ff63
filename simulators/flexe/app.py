"""Flexe simulator: a thread-safe WSGI app speaking providers/flexe/CONTRACT.md in memory.

Admin endpoints (no auth): `POST /_admin/faults` {status, count, retryAfter?, path?} queues
faults for the next API calls; `POST /_admin/webhook` {url, secret?} sets the subscriber;
`POST /_admin/outbound-orders/{id}/{accept|reject|pick|pack|ship}` moves an order and posts the
signed webhook; `GET /_admin/calls` and `GET /_admin/deliveries` list what happened;
`POST /_admin/reset` forgets everything.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from simulators.flexe.store import MOVES, Json, OutboundStore, SimulatedError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

DEFAULT_API_KEY = "flexe-sim-key"
DEFAULT_WEBHOOK_SECRET = "flexe-sim-webhook-secret"
ADMIN_COMMANDS = ("accept", "reject", "pick", "pack", "ship")

_ROUTES = Map(
    [
        Rule("/_admin/faults", methods=["POST"], endpoint="add_fault"),
        Rule("/_admin/calls", methods=["GET"], endpoint="calls"),
        Rule("/_admin/deliveries", methods=["GET"], endpoint="deliveries"),
        Rule("/_admin/webhook", methods=["POST"], endpoint="set_webhook"),
        Rule("/_admin/reset", methods=["POST"], endpoint="reset"),
        Rule("/_admin/outbound-orders/<order_id>/<command>", methods=["POST"], endpoint="admin"),
        Rule("/v1/outbound-orders", methods=["POST"], endpoint="create"),
        Rule("/v1/outbound-orders", methods=["GET"], endpoint="find"),
        Rule("/v1/outbound-orders/<order_id>", methods=["GET"], endpoint="get"),
        Rule("/v1/outbound-orders/<order_id>/shipments", methods=["GET"], endpoint="shipments"),
        Rule("/v1/outbound-orders/<order_id>/cancel", methods=["POST"], endpoint="cancel"),
    ]
)


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with the given status and extra headers."""
    return Response(json.dumps(body), status, headers, content_type="application/json")


def error_response(status: int, code: str, message: str) -> Response:
    """The contract's error body."""
    return json_response(status, {"error": {"code": code, "message": message}})


class FlexeSimulator:
    """The WSGI app; every request is handled under one lock, webhooks are posted outside it."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
        webhook_url: str | None = None,
    ) -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self._lock = threading.Lock()
        self._store = OutboundStore()
        self._faults: list[Json] = []
        self._calls: list[Json] = []
        self._deliveries: list[Json] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        events: list[Json] = []
        with self._lock:
            response = self._handle(request, events)
        for event in events:
            self._deliver(event)
        return response(environ, start_response)

    def _handle(self, request: Request, events: list[Json]) -> Response:
        adapter = _ROUTES.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException as err:
            return error_response(err.code or 404, "not_found", f"{request.method} {request.path}")
        if request.path.startswith("/_admin/"):
            try:
                return self._admin(str(endpoint), request, args, events)
            except SimulatedError as err:
                return error_response(err.status, err.code, str(err))
        response = self._api(str(endpoint), request, args, events)
        self._calls.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query_string.decode("latin-1"),
                "idempotencyKey": request.headers.get("Idempotency-Key"),
                "status": response.status_code,
            }
        )
        return response

    def _api(
        self, endpoint: str, request: Request, args: Mapping[str, Any], events: list[Json]
    ) -> Response:
        fault = self._take_fault(request.path)
        if fault is not None:
            return fault
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return error_response(401, "unauthorized", "missing or wrong API key")
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and not key:
            return error_response(400, "validation_failed", "Idempotency-Key header is required")
        try:
            return self._route_api(endpoint, request, args, key or "", events)
        except SimulatedError as err:
            return error_response(err.status, err.code, str(err))

    def _route_api(
        self, endpoint: str, request: Request, args: Mapping[str, Any], key: str, events: list[Json]
    ) -> Response:
        store = self._store
        if endpoint == "create":
            order, created = store.create(_body(request), key)
            return json_response(201 if created else 200, order)
        if endpoint == "find":
            external_id = request.args.get("externalId")
            found = [o for o in store.orders.values() if o["externalId"] == external_id]
            return json_response(200, {"outboundOrders": found})
        if endpoint == "get":
            return json_response(200, store.get(args["order_id"]))
        if endpoint == "shipments":
            store.get(args["order_id"])
            return json_response(200, {"shipments": store.shipments[args["order_id"]]})
        event = store.move(args["order_id"], "cancel", {})
        events.extend([event] if event else [])
        return json_response(200, store.get(args["order_id"]))

    def _admin(
        self, endpoint: str, request: Request, args: Mapping[str, Any], events: list[Json]
    ) -> Response:
        if endpoint == "add_fault":
            body = _body(request)
            self._faults.append(
                {
                    "status": int(body.get("status", 503)),
                    "remaining": int(body.get("count", 1)),
                    "retryAfter": body.get("retryAfter"),
                    "path": body.get("path"),
                }
            )
            return json_response(201, {"faults": self._faults})
        if endpoint == "calls":
            return json_response(200, {"calls": self._calls})
        if endpoint == "deliveries":
            return json_response(200, {"deliveries": self._deliveries})
        if endpoint == "set_webhook":
            body = _body(request)
            self.webhook_url = body.get("url")
            self.webhook_secret = body.get("secret") or self.webhook_secret
            return json_response(200, {"url": self.webhook_url})
        if endpoint == "reset":
            self._store, self._faults, self._calls, self._deliveries = OutboundStore(), [], [], []
            return json_response(200, {})
        return self._admin_move(request, args, events)

    def _admin_move(
        self, request: Request, args: Mapping[str, Any], events: list[Json]
    ) -> Response:
        command = args["command"]
        if command not in ADMIN_COMMANDS or command not in MOVES:
            return error_response(404, "not_found", f"unknown command {command}")
        event = self._store.move(args["order_id"], command, _body(request))
        events.extend([event] if event else [])
        return json_response(200, {"order": self._store.get(args["order_id"]), "event": event})

    def _take_fault(self, path: str) -> Response | None:
        for fault in self._faults:
            if fault["path"] and not path.startswith(fault["path"]):
                continue
            fault["remaining"] -= 1
            if fault["remaining"] <= 0:
                self._faults.remove(fault)
            status = fault["status"]
            headers = {"Retry-After": str(fault["retryAfter"])} if fault["retryAfter"] else None
            code = "rate_limited" if status == 429 else "unavailable" if status >= 500 else "fault"
            body = {"error": {"code": code, "message": f"injected fault {status}"}}
            return json_response(status, body, headers)
        return None

    def _deliver(self, event: Json) -> None:
        url, secret = self.webhook_url, self.webhook_secret
        body = json.dumps(event).encode("utf-8")
        record: Json = {"eventId": event["eventId"], "url": url, "status": None, "error": None}
        if url:
            digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-Flexe-Signature": f"sha256={digest}"}
            try:
                record["status"] = httpx.post(
                    url, content=body, headers=headers, timeout=5
                ).status_code
            except httpx.HTTPError as err:
                record["error"] = str(err)
        with self._lock:
            self._deliveries.append(record)


def _body(request: Request) -> Json:
    if not request.get_data():
        return {}
    try:
        body = json.loads(request.get_data())
    except ValueError:
        raise SimulatedError(400, "validation_failed", "body is not JSON") from None
    if not isinstance(body, dict):
        raise SimulatedError(400, "validation_failed", "body must be a JSON object")
    return body
