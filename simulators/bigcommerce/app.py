"""The BigCommerce simulator's WSGI app: Orders V2 under /stores/{hash}/v2 and /_admin/.

Every API call needs `X-Auth-Token` (401 JSON otherwise), counts against a per-window quota
(429 when spent) and answers with `X-Rate-Limit-*` headers; empty pages and an order without
shipments answer 204. A fault plan (`fail_next`) answers the next N API calls with 429, 500 or
503. Admin routes (no token): POST /_admin/orders, POST|DELETE /_admin/faults,
GET|DELETE /_admin/calls, PUT /_admin/webhooks, POST /_admin/webhooks/emit.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from simulators.bigcommerce.callbacks import WebhookConfig, deliver, envelope, event_data
from simulators.bigcommerce.store import Store, StoreError, parse_date

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

API = "/stores/<store_hash>/v2"
MAX_LIMIT = 250
ROUTES = Map(
    [
        Rule(f"{API}/orders", methods=["GET"], endpoint="list_orders"),
        Rule(f"{API}/orders/<int:order_id>", methods=["GET", "PUT"], endpoint="order"),
        Rule(f"{API}/orders/<int:order_id>/products", methods=["GET"], endpoint="products"),
        Rule(
            f"{API}/orders/<int:order_id>/shipping_addresses",
            methods=["GET"],
            endpoint="addresses",
        ),
        Rule(f"{API}/orders/<int:order_id>/shipments", methods=["GET", "POST"], endpoint="ships"),
        Rule("/_admin/orders", methods=["POST"], endpoint="admin_orders"),
        Rule("/_admin/faults", methods=["POST", "DELETE"], endpoint="admin_faults"),
        Rule("/_admin/calls", methods=["GET", "DELETE"], endpoint="admin_calls"),
        Rule("/_admin/webhooks", methods=["PUT"], endpoint="admin_webhooks"),
        Rule("/_admin/webhooks/emit", methods=["POST"], endpoint="admin_emit"),
    ]
)


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload)
    return Response(body, status=status, headers=headers, content_type="application/json")


def _error(status: int, message: str) -> Response:
    return _json(status, [{"status": status, "message": message}])


class BigCommerceSimulator:
    """One simulated store, thread-safe, served as a WSGI app."""

    def __init__(
        self,
        store_hash: str,
        token: str,
        *,
        clock: Callable[[], datetime] | None = None,
        quota: int = 150,
        window_ms: int = 30_000,
        store_id: str = "1025646",
        webhooks: WebhookConfig | None = None,
    ) -> None:
        self.store_hash = store_hash
        self.token = token
        self.store_id = store_id
        self.store = Store(clock or (lambda: datetime.now(UTC)))
        self.webhooks = webhooks or WebhookConfig()
        self.calls: list[dict[str, Any]] = []
        self._quota = quota
        self._window_ms = window_ms
        self._window_start = time.monotonic()
        self._used = 0
        self._faults: deque[tuple[int, float | None]] = deque()
        self._lock = threading.Lock()

    def fail_next(self, n: int, status: int = 429, retry_after_s: float | None = None) -> None:
        """Answer the next n API calls with this status (429, 500 or 503)."""
        if status not in (429, 500, 503):
            raise ValueError("faults are 429, 500 or 503")
        with self._lock:
            self._faults.extend([(status, retry_after_s)] * n)

    def create_order(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Add an order from a simple spec (see Store.create_order); returns it as the API does."""
        with self.store.lock:
            return json.loads(json.dumps(self.store.create_order(spec)))  # type: ignore[no-any-return]

    def emit_webhook(
        self,
        scope: str,
        order_id: int,
        *,
        previous_status_id: int | None = None,
        shipment_id: int | None = None,
    ) -> dict[str, Any]:
        """Send a callback for the order to the configured destination; what happened."""
        with self.store.lock:
            current = int(self.store.order(order_id)["status_id"])
            now = int(self.store.clock().timestamp())
            shipments = self.store.shipments[order_id]
            if shipment_id is None and shipments:
                shipment_id = int(shipments[-1]["id"])  # the latest shipment by default
        status = (previous_status_id if previous_status_id is not None else current, current)
        data = event_data(scope, order_id, status, shipment_id)
        body = envelope(scope, self.store_hash, self.store_id, data, now)
        return deliver(self.webhooks, body, now)  # outside the lock: the hub may call back

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """The response for one request, with rate-limit headers."""
        admin = request.path.startswith("/_admin/")
        left, reset_ms = self._spend(count=not admin)
        response = self._admin(request) if admin else self._api(request, left)
        response.headers.update(self._limit_headers(left, reset_ms, response))
        if not admin:
            with self._lock:
                self.calls.append(
                    {"method": request.method, "path": request.path,
                     "query": request.query_string.decode(), "status": response.status_code}
                )  # fmt: skip
        return response

    def _spend(self, *, count: bool) -> tuple[int, int]:
        with self._lock:
            elapsed_ms = int((time.monotonic() - self._window_start) * 1000)
            if elapsed_ms >= self._window_ms:
                self._window_start, self._used, elapsed_ms = time.monotonic(), 0, 0
            if count:
                self._used += 1
            return self._quota - self._used, self._window_ms - elapsed_ms

    def _limit_headers(self, left: int, reset_ms: int, response: Response) -> dict[str, str]:
        headers = {
            "X-Rate-Limit-Time-Window-Ms": str(self._window_ms),
            "X-Rate-Limit-Requests-Quota": str(self._quota),
            "X-Rate-Limit-Requests-Left": str(max(left, 0)),
        }
        if "X-Rate-Limit-Time-Reset-Ms" not in response.headers:
            headers["X-Rate-Limit-Time-Reset-Ms"] = str(reset_ms)
        return headers

    def _api(self, request: Request, left: int) -> Response:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        if fault is not None:
            return self._fault(*fault)
        if left < 0:
            return _error(429, "You have exceeded your request quota.")
        if request.headers.get("X-Auth-Token") != self.token:
            return _json(401, [{"status": 401, "message": "You are not authorized."}])
        try:
            endpoint, matched = ROUTES.bind_to_environ(request.environ).match()
        except HTTPException as err:
            return _error(err.code or 404, err.description or "not found")
        args = dict(matched)
        if args.pop("store_hash") != self.store_hash:
            return _error(404, "The requested resource was not found.")
        try:
            with self.store.lock:
                return self._handle(endpoint, request, **args)
        except StoreError as err:
            return _error(err.status, err.message)

    @staticmethod
    def _fault(status: int, retry_after_s: float | None) -> Response:
        headers: dict[str, str] = {}
        if status == 429:
            headers["X-Rate-Limit-Time-Reset-Ms"] = str(int((retry_after_s or 15) * 1000))
        elif retry_after_s is not None:
            headers["Retry-After"] = str(int(retry_after_s))
        message = "Too Many Requests" if status == 429 else "Service Unavailable"
        return _json(status, [{"status": status, "message": message}], headers)

    def _handle(self, endpoint: str, request: Request, order_id: int = 0) -> Response:
        store = self.store
        if endpoint == "list_orders":
            return self._page(request, self._orders(request))
        if endpoint == "order" and request.method == "PUT":
            body = _body(request)
            return _json(200, store.set_status(order_id, body.get("status_id")))
        if endpoint == "order":
            return _json(200, store.order(order_id))
        store.order(order_id)
        if endpoint == "products":
            return self._page(request, store.products[order_id])
        if endpoint == "addresses":
            return self._page(request, store.addresses[order_id])
        if request.method == "POST":
            return _json(201, store.add_shipment(order_id, _body(request)))
        return self._page(request, store.shipments[order_id])

    def _orders(self, request: Request) -> list[dict[str, Any]]:
        orders = sorted(self.store.orders.values(), key=lambda o: o["id"])
        since = request.args.get("min_date_modified")
        if since:
            try:
                floor = parse_date(since)
            except ValueError:
                raise StoreError(400, "min_date_modified is not a date") from None
            orders = [o for o in orders if parse_date(o["date_modified"]) >= floor]
        if request.args.get("sort", "").startswith("date_modified"):
            orders.sort(key=lambda o: (parse_date(o["date_modified"]), o["id"]))
            if request.args["sort"].endswith(":desc"):
                orders.reverse()
        return orders

    @staticmethod
    def _page(request: Request, items: list[dict[str, Any]]) -> Response:
        page = request.args.get("page", 1, type=int) or 1
        limit = request.args.get("limit", 50, type=int) or 50
        if limit > MAX_LIMIT:
            return _error(413, f"limit may not exceed {MAX_LIMIT}")
        chunk = items[(page - 1) * limit : page * limit] if page >= 1 and limit >= 1 else []
        return _json(200, chunk) if chunk else Response(status=204)

    def _admin(self, request: Request) -> Response:
        try:
            endpoint, _ = ROUTES.bind_to_environ(request.environ).match()
        except HTTPException as err:
            return _error(err.code or 404, err.description or "not found")
        try:
            return self._admin_action(endpoint, request)
        except (StoreError, ValueError, KeyError, TypeError) as err:
            status = err.status if isinstance(err, StoreError) else 400
            return _error(status, str(err))

    def _admin_action(self, endpoint: str, request: Request) -> Response:
        body = _body(request) if request.method in ("POST", "PUT") else {}
        if endpoint == "admin_orders":
            return _json(201, self.create_order(body))
        if endpoint == "admin_faults" and request.method == "DELETE":
            with self._lock:
                self._faults.clear()
        elif endpoint == "admin_faults":
            retry = body.get("retryAfterS")
            self.fail_next(int(body.get("count", 1)), int(body.get("status", 429)), retry)
        elif endpoint == "admin_calls" and request.method == "GET":
            with self._lock:
                return _json(200, list(self.calls))
        elif endpoint == "admin_calls":
            with self._lock:
                self.calls.clear()
        elif endpoint == "admin_webhooks":
            headers = {str(k): str(v) for k, v in dict(body.get("headers") or {}).items()}
            self.webhooks = WebhookConfig(
                body.get("destination"), headers, body.get("signingSecret")
            )
        else:
            shipment = body.get("shipmentId")
            outcome = self.emit_webhook(
                str(body["scope"]),
                int(body["orderId"]),
                previous_status_id=body.get("previousStatusId"),
                shipment_id=int(shipment) if shipment is not None else None,
            )
            return _json(200, outcome)
        return Response(status=204)


def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise StoreError(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise StoreError(400, "the body must be a JSON object")
    return body
