"""A Dynamics 365 Sales (Dataverse Web API) simulator: Entra ID tokens, `/api/data/v9.2`, admin API.

`salesorders` and `salesorderdetails` are read (`$filter` through the hub's filter language after
typing Dataverse's bare date-time literals, `$select`, `$orderby`, `$top`, `$expand` of lookups,
`Prefer: odata.maxpagesize` with `@odata.nextLink`), created (POST) and updated (PATCH, with
`If-Match`). Reference tables (accounts, price lists, units, products, currencies, companies) are
readable and seeded through `/_admin/reference/<set>`. Admin routes inject faults (429 with
Retry-After, only into requests whose path and query contain `match`), list the calls, and act
"as a Sales user": create, edit and activate orders under the Prospect-to-cash rules.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from simulators.entra import TokenIssuer
from simulators.faults import FaultPlan
from simulators.sales.query import Options, matching, project
from simulators.sales.schema import SALESORDERS, table
from simulators.sales.store import SalesStore
from simulators.sales.wire import (
    THROTTLED,
    UNAUTHORIZED,
    EntityError,
    dataverse_error,
    json_body,
    json_response,
)

API = "/api/data/v9.2"
DEFAULT_ENVIRONMENT = "https://sales.sim.crm.dynamics.com"
DEFAULT_PAGE_SIZE = 5000  # Dataverse's page cap
_ORDER = "/_admin/salesorders/<order_id>"
_KEYED = re.compile(r"^(\w+)\(([0-9A-Fa-f-]{36})\)$")
_MAX_PAGE = re.compile(r"odata\.maxpagesize=(\d+)")


@dataclass(frozen=True)
class Call:
    """One request the simulator received (admin routes excluded)."""

    method: str
    path: str
    query: str
    status: int


class SalesSimulator:
    """The WSGI app; state is in memory and lives as long as the instance."""

    def __init__(
        self,
        tenant: str,
        client_id: str,
        client_secret: str,
        *,
        environment_url: str = DEFAULT_ENVIRONMENT,
        page_size: int = DEFAULT_PAGE_SIZE,
        token_lifetime: int = 3599,
    ) -> None:
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self.scope = f"{environment_url.rstrip('/')}/.default"
        self.page_size = page_size
        self.store = SalesStore()
        self.calls: list[Call] = []
        self.tokens = TokenIssuer(tenant, client_id, client_secret, self.scope, token_lifetime)
        self.faults = FaultPlan()
        self._lock = threading.Lock()
        self._routes = Map(
            [
                Rule("/<tenant>/oauth2/v2.0/token", methods=["POST"], endpoint="token"),
                Rule(f"{API}/<resource>", methods=["GET", "POST", "PATCH"], endpoint="data"),
                Rule("/_admin/faults", methods=["POST"], endpoint="faults"),
                Rule("/_admin/calls", methods=["GET"], endpoint="calls"),
                Rule("/_admin/reference/<entity_set>", methods=["POST"], endpoint="reference"),
                Rule("/_admin/salesorders", methods=["POST"], endpoint="user_create"),
                Rule(_ORDER, methods=["GET"], endpoint="order"),
                Rule(_ORDER, methods=["PATCH"], endpoint="user_edit"),
                Rule(f"{_ORDER}/lines", methods=["POST"], endpoint="user_line"),
                Rule(f"{_ORDER}/activate", methods=["POST"], endpoint="activate"),
            ]
        )  # fmt: skip

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SalesSimulator:
        """A simulator configured by SALES_SIM_* variables (for `python -m simulators`)."""
        return cls(
            env.get("SALES_SIM_TENANT", "contoso"),
            env.get("SALES_SIM_CLIENT_ID", "hub-app"),
            env.get("SALES_SIM_CLIENT_SECRET", "sim-secret"),
            environment_url=env.get("SALES_SIM_ENVIRONMENT_URL", DEFAULT_ENVIRONMENT),
            page_size=int(env.get("SALES_SIM_PAGE_SIZE", DEFAULT_PAGE_SIZE)),
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Serve one WSGI request."""
        request = Request(environ)
        response = self._dispatch(request)
        if not request.path.startswith("/_admin"):
            call = Call(request.method, request.path, request.query_string.decode(),
                        response.status_code)  # fmt: skip
            with self._lock:
                self.calls.append(call)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        try:
            endpoint, args = self._routes.bind_to_environ(request.environ).match()
            handler: Callable[..., Response] = getattr(self, f"_{endpoint}")
            return handler(request, **args)
        except EntityError as err:
            return dataverse_error(err.status, err.code, str(err))
        except HTTPException as err:
            return dataverse_error(err.code or 500, str(err.code), err.description or err.name)

    # --- Microsoft Entra ID -------------------------------------------------------------------

    def _token(self, request: Request, tenant: str) -> Response:
        return self.tokens.issue(tenant, request.form)

    def _authorized(self, request: Request) -> bool:
        return self.tokens.authorized(request.headers.get("Authorization", ""))

    # --- Web API ------------------------------------------------------------------------------

    def _data(self, request: Request, resource: str) -> Response:
        if not self._authorized(request):
            response = dataverse_error(401, UNAUTHORIZED, "A valid bearer token is required")
            response.headers["WWW-Authenticate"] = f"Bearer authorization_uri={self.scope}"
            return response
        fault = self.faults.next(f"{request.path}?{request.query_string.decode()}")
        if fault is not None:
            return _fault_response(*fault)
        keyed = _KEYED.match(resource)
        entity_set, row_id = (keyed.group(1), keyed.group(2)) if keyed else (resource, None)
        table(entity_set)  # 404 for unknown sets
        if request.method == "GET":
            return self._read(request, entity_set, row_id)
        if request.method == "POST" and row_id is None:
            return self._written(
                request, entity_set, self.store.create(entity_set, json_body(request)), 201
            )
        if request.method == "PATCH" and row_id is not None:
            if_match = request.headers.get("If-Match")
            row = self.store.update(entity_set, row_id, json_body(request), if_match)
            return self._written(request, entity_set, row, 200)
        raise EntityError(405, "0x8006088a", f"{request.method} is not supported on {resource}")

    def _read(self, request: Request, entity_set: str, row_id: str | None) -> Response:
        options = Options.from_args(request.args)
        context = f"{request.host_url.rstrip('/')}{API}/$metadata#{entity_set}"
        if row_id is not None:
            row = self.store.row(entity_set, row_id)
            body = project(self.store, entity_set, row, options.select, options.expand)
            return json_response({"@odata.context": f"{context}/$entity", **body}, 200)
        rows = matching(self.store, entity_set, options)
        size = _preferred_page_size(request, self.page_size)
        skip = int(request.args.get("$skiptoken", "0") or 0)
        page = rows[skip : skip + size]
        value = [project(self.store, entity_set, r, options.select, options.expand) for r in page]
        response_body: dict[str, Any] = {"@odata.context": context, "value": value}
        if skip + size < len(rows):
            query = {k: v for k, v in request.args.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(skip + size)
            response_body["@odata.nextLink"] = f"{request.base_url}?{urlencode(query)}"
        response = json_response(response_body, 200)
        if size != self.page_size:
            response.headers["Preference-Applied"] = f"odata.maxpagesize={size}"
        return response

    def _written(
        self, request: Request, entity_set: str, row: Mapping[str, Any], status: int
    ) -> Response:
        """201/200 with the row for `Prefer: return=representation`, else 204 with its address."""
        key = row[table(entity_set).key]
        address = f"{request.host_url.rstrip('/')}{API}/{entity_set}({key})"
        if "return=representation" in request.headers.get("Prefer", ""):
            options = Options.from_args(request.args)
            body = project(self.store, entity_set, row, options.select, options.expand)
            response = json_response(body, status)
            response.headers["Preference-Applied"] = "return=representation"
        else:
            response = Response(status=204)
            response.headers["OData-Version"] = "4.0"
        response.headers["OData-EntityId"] = address
        return response

    # --- Admin --------------------------------------------------------------------------------

    def _faults(self, request: Request) -> Response:
        return json_response({"queued": self.faults.set(json_body(request))}, 200)

    def _calls(self, _request: Request) -> Response:
        with self._lock:
            calls = [{"method": c.method, "path": c.path, "query": c.query, "status": c.status}
                     for c in self.calls]  # fmt: skip
        return json_response({"value": calls}, 200)

    def _reference(self, request: Request, entity_set: str) -> Response:
        body = json_body(request)
        rows = body["value"] if isinstance(body.get("value"), list) else [body]
        created = [self.store.add_reference(entity_set, row) for row in rows]
        return json_response({"value": created}, 201)

    def _order(self, _request: Request, order_id: str) -> Response:
        return json_response(self._with_lines(self.store.row(SALESORDERS, order_id)), 200)

    def _user_create(self, request: Request) -> Response:
        body = json_body(request)
        lines = body.pop("lines", [])
        order = self.store.user_create(body, lines if isinstance(lines, list) else [])
        return json_response(self._with_lines(order), 201)

    def _user_edit(self, request: Request, order_id: str) -> Response:
        return json_response(self.store.user_update(order_id, json_body(request)), 200)

    def _user_line(self, request: Request, order_id: str) -> Response:
        return json_response(self.store.user_add_line(order_id, json_body(request)), 201)

    def _activate(self, _request: Request, order_id: str) -> Response:
        return json_response(self._with_lines(self.store.activate(order_id)), 200)

    def _with_lines(self, order: Mapping[str, Any]) -> dict[str, Any]:
        return {**order, "lines": self.store.lines_of(order["salesorderid"])}


def _preferred_page_size(request: Request, cap: int) -> int:
    match = _MAX_PAGE.search(request.headers.get("Prefer", ""))
    return cap if match is None else max(1, min(int(match.group(1)), cap))


def _fault_response(status: int, retry_after: float | None) -> Response:
    message = (
        "Number of requests exceeded the limit of 6000 over time window of 300 seconds."
        if status == 429
        else f"Simulated fault {status}"
    )
    response = dataverse_error(status, THROTTLED if status == 429 else str(status), message)
    if retry_after is not None:
        response.headers["Retry-After"] = f"{retry_after:g}"
    return response
