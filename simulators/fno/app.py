"""A Dynamics 365 Finance + Operations simulator: Entra ID token endpoint, OData /data, admin API.

`/data` serves the entity sets of `simulators.fno.entities` (sales order headers and lines as
SalesOrderHeadersV2 / SalesOrderLines and as the dual-write CDSSalesOrderHeaders /
CDSSalesOrderLines, and SalesInvoiceHeadersV2): collections with `$filter`, `$orderby`,
`$top`/`$skip`, server-driven paging and `cross-company`; GET and PATCH by key (PATCH honours
`If-Match`, 412 when the ETag moved on); POST creates. Every change to a header or line is
notified to the changes URL (see `simulators.fno.changes`). Admin routes inject faults
(optionally only into requests whose path and query contain `match`, so a background poller
cannot use up a test's faults), create orders and edit records "inside F&O", withhold items
from release, and post documents (confirm, pick, pack, invoice), each of which sends a business
event to the configured events URL.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from simulators.entra import TokenIssuer
from simulators.faults import FaultPlan
from simulators.fno.changes import ChangeNotifier
from simulators.fno.service import DataService
from simulators.fno.store import EntityError, FnoStore, timestamp
from simulators.fno.wire import event_line, json_body, json_response, odata_error

IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT_SECRET_HEADER = "X-Fno-Event-Secret"
DEFAULT_ENVIRONMENT = "https://fno.sim.operations.dynamics.com"


@dataclass(frozen=True)
class Call:
    """One request the simulator received (admin routes excluded)."""

    method: str
    path: str
    query: str
    idempotency_key: str | None
    status: int


class FnoSimulator:
    """The WSGI app; state is in memory and lives as long as the instance."""

    def __init__(
        self,
        tenant: str,
        client_id: str,
        client_secret: str,
        *,
        environment_url: str = DEFAULT_ENVIRONMENT,
        default_company: str = "usmf",
        events_url: str | None = None,
        events_secret: str | None = None,
        changes_url: str | None = None,
        changes_secret: str | None = None,
        page_size: int = 10_000,
        token_lifetime: int = 3599,
    ) -> None:
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self.scope = f"{environment_url.rstrip('/')}/.default"
        self.events_url, self.events_secret = events_url, events_secret
        self.changes = ChangeNotifier(changes_url, changes_secret)
        self.store = FnoStore(default_company=default_company.lower())
        self.store.on_change = self.changes.publish
        self.data = DataService(self.store, page_size)
        self.calls: list[Call] = []
        self.events: list[dict[str, Any]] = []
        self.tokens = TokenIssuer(tenant, client_id, client_secret, self.scope, token_lifetime)
        self.faults = FaultPlan()
        self._lock = threading.Lock()
        self._routes = Map(
            [
                Rule("/<tenant>/oauth2/v2.0/token", methods=["POST"], endpoint="token"),
                Rule("/data/<path:resource>", methods=["GET", "POST", "PATCH"], endpoint="data"),
                Rule("/_admin/faults", methods=["POST"], endpoint="faults"),
                Rule("/_admin/calls", methods=["GET"], endpoint="calls"),
                Rule("/_admin/events", methods=["GET"], endpoint="events"),
                Rule("/_admin/orders", methods=["POST"], endpoint="create_order"),
                Rule("/_admin/orders/<area>/<number>/<command>", methods=["POST"], endpoint="post"),
                Rule("/_admin/entities/<path:resource>", methods=["PATCH"], endpoint="user_edit"),
                Rule("/_admin/items/<status>", methods=["POST"], endpoint="items"),
                Rule("/_admin/changes", methods=["GET"], endpoint="changes"),
            ]
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FnoSimulator:
        """A simulator configured by FNO_SIM_* variables (for `python -m simulators`)."""
        return cls(
            env.get("FNO_SIM_TENANT", "contoso"),
            env.get("FNO_SIM_CLIENT_ID", "hub-app"),
            env.get("FNO_SIM_CLIENT_SECRET", "sim-secret"),
            environment_url=env.get("FNO_SIM_ENVIRONMENT_URL", DEFAULT_ENVIRONMENT),
            default_company=env.get("FNO_SIM_DEFAULT_COMPANY", "usmf"),
            events_url=env.get("FNO_SIM_EVENTS_URL") or None,
            events_secret=env.get("FNO_SIM_EVENTS_SECRET") or None,
            changes_url=env.get("FNO_SIM_CHANGES_URL") or None,
            changes_secret=env.get("FNO_SIM_CHANGES_SECRET") or None,
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Serve one WSGI request."""
        request = Request(environ)
        response = self._dispatch(request)
        if not request.path.startswith("/_admin"):
            with self._lock:
                self.calls.append(
                    Call(
                        request.method, request.path, request.query_string.decode(),
                        request.headers.get(IDEMPOTENCY_HEADER), response.status_code,
                    )
                )  # fmt: skip
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        try:
            endpoint, args = self._routes.bind_to_environ(request.environ).match()
            handler: Callable[..., Response] = getattr(self, f"_{endpoint}")
            return handler(request, **args)
        except EntityError as err:
            return odata_error(err.status, str(err))
        except HTTPException as err:
            return json_response(
                {"error": {"code": err.name, "message": err.description}}, err.code or 500
            )

    # --- Microsoft Entra ID -------------------------------------------------------------------

    def _token(self, request: Request, tenant: str) -> Response:
        return self.tokens.issue(tenant, request.form)

    def _authorized(self, request: Request) -> bool:
        return self.tokens.authorized(request.headers.get("Authorization", ""))

    # --- OData --------------------------------------------------------------------------------

    def _data(self, request: Request, resource: str) -> Response:
        if not self._authorized(request):
            return odata_error(401, "Unauthorized: a valid bearer token is required")
        fault = self.faults.next(f"{request.path}?{request.query_string.decode()}")
        if fault is not None:
            status, retry_after = fault
            response = odata_error(status, f"Simulated fault {status}")
            if retry_after is not None:
                response.headers["Retry-After"] = f"{retry_after:g}"
            return response
        return self.data.handle(request, resource)

    # --- Admin --------------------------------------------------------------------------------

    def _faults(self, request: Request) -> Response:
        return json_response({"queued": self.faults.set(json_body(request))}, 200)

    def _calls(self, _request: Request) -> Response:
        with self._lock:
            calls = [
                {"method": c.method, "path": c.path, "query": c.query,
                 "idempotencyKey": c.idempotency_key, "status": c.status}
                for c in self.calls
            ]  # fmt: skip
        return json_response({"value": calls}, 200)

    def _events(self, _request: Request) -> Response:
        with self._lock:
            return json_response({"value": list(self.events)}, 200)

    def _create_order(self, request: Request) -> Response:
        body = json_body(request)
        lines = body.pop("lines", [])
        header = self.store.create_header(body)
        area, number = header["dataAreaId"], header["SalesOrderNumber"]
        for line in lines:
            self.store.create_line({**line, "dataAreaId": area, "SalesOrderNumber": number})
        return json_response({**header, "lines": self.store.order_lines(area, number)}, 201)

    def _user_edit(self, request: Request, resource: str) -> Response:
        """A change made by a user in F&O: no ETag check, notified like any other change."""
        return self.data.edit(resource, json_body(request))

    def _items(self, request: Request, status: str) -> Response:
        """Withhold items from release (`unreleased`) or release them again (`released`)."""
        if status not in ("unreleased", "released"):
            raise NotFound(f"items can be 'unreleased' or 'released', not {status!r}")
        items = {str(item) for item in json_body(request).get("items", [])}
        with self.store.lock:
            if status == "unreleased":
                self.store.unreleased |= items
            else:
                self.store.unreleased -= items
            unreleased = sorted(self.store.unreleased)
        return json_response({"unreleased": unreleased}, 200)

    def _changes(self, _request: Request) -> Response:
        return json_response({"value": self.changes.delivered()}, 200)

    def _post(self, _request: Request, area: str, number: str, command: str) -> Response:
        event, header, lines = self.store.apply(area.lower(), number, command)
        payload = {
            "provider": "fno",
            "event": event,
            "dataAreaId": header["dataAreaId"],
            "salesOrderNumber": header["SalesOrderNumber"],
            "customersOrderReference": header.get("CustomersOrderReference"),
            "salesOrderProcessingStatus": header["SalesOrderProcessingStatus"],
            "lines": [event_line(line) for line in lines],
            "eventId": str(uuid.uuid4()),
            "occurredAt": timestamp(datetime.now(UTC)),
        }
        delivered = self._deliver(payload)
        with self._lock:
            self.events.append({**payload, "deliveryStatus": delivered})
        return json_response({"event": payload, "deliveryStatus": delivered, "order": header}, 200)

    def _deliver(self, payload: dict[str, Any]) -> int | None:
        """POST the event to the events URL; the HTTP status, or None when none was reached."""
        if self.events_url is None:
            return None
        headers = {} if self.events_secret is None else {EVENT_SECRET_HEADER: self.events_secret}
        try:
            response = httpx.post(self.events_url, json=payload, headers=headers, timeout=10)
        except httpx.HTTPError:
            return None
        return response.status_code
