"""SAP S/4HANA simulator: a thread-safe WSGI app speaking OData v2 for sales orders and billing.

Serves `/sap/opu/odata/sap/API_SALES_ORDER_SRV/` (A_SalesOrder: query, read, deep insert,
to_Item) and `/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV/` (A_BillingDocument,
A_BillingDocumentItem: read only) behind Basic auth and SAP's CSRF protocol. Admin (no auth):
`POST /_admin/faults` {status, count, retryAfter?, path?}, `POST /_admin/sales-orders/{id}/bill`
{netAmount?}, `POST /_admin/csrf/expire`, `POST /_admin/reset`, `GET /_admin/calls`.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from simulators.sap.store import Json, ODataFailure, SapStore, matches

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

DEFAULT_USERNAME = "SIM_COMM_USER"
DEFAULT_PASSWORD = "sim-password"
ROOT = "/sap/opu/odata/sap/"
SALES = "API_SALES_ORDER_SRV"
BILLING = "API_BILLING_DOCUMENT_SRV"
SESSION_COOKIE = "SAP_SESSIONID_SIM"
_ODATA = re.compile(
    rf"^{ROOT}(?P<service>{SALES}|{BILLING})/"
    r"(?:(?P<entity>\w+)(?:\('(?P<key>(?:[^']|'')*)'\))?(?:/(?P<nav>\w+))?)?/?$"
)
_BILL = re.compile(r"^/_admin/sales-orders/(?P<number>[^/]+)/bill$")
_ITEM_KEY = ("SalesOrder", "SalesOrderItem")
_BILLING_ITEM_KEY = ("BillingDocument", "BillingDocumentItem")
_ENTITY_SETS = {
    SALES: ["A_SalesOrder", "A_SalesOrderItem"],
    BILLING: ["A_BillingDocument", "A_BillingDocumentItem"],
}


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with the given status and extra headers."""
    return Response(json.dumps(body), status, headers, content_type="application/json")


def odata_error(failure: ODataFailure) -> Response:
    """The OData v2 error body for a failure."""
    message = {"lang": "en", "value": str(failure)}
    return json_response(failure.status, {"error": {"code": failure.code, "message": message}})


class SapSimulator:
    """The WSGI app; each request is handled under one lock."""

    def __init__(
        self, *, username: str = DEFAULT_USERNAME, password: str = DEFAULT_PASSWORD
    ) -> None:
        self.username = username
        self.password = password
        self._lock = threading.Lock()
        self._store = SapStore()
        self._sessions: dict[str, str] = {}  # session cookie -> CSRF token
        self._faults: list[Json] = []
        self._calls: list[Json] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        with self._lock:
            if request.path.startswith("/_admin/"):
                response = self._admin(request)
            else:
                response = self._api(request)
                self._calls.append(
                    {
                        "method": request.method,
                        "path": request.path,
                        "query": request.query_string.decode("latin-1"),
                        "csrfToken": request.headers.get("x-csrf-token"),
                        "status": response.status_code,
                    }
                )
        return response(environ, start_response)

    def _api(self, request: Request) -> Response:
        fault = self._take_fault(request.path)
        if fault is not None:
            return fault
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (self.username, self.password):
            realm = {"WWW-Authenticate": 'Basic realm="SAP NetWeaver Application Server"'}
            return Response("Logon failed", 401, realm)
        match = _ODATA.match(request.path)
        if match is None:
            return odata_error(
                ODataFailure(404, "/IWFND/MED/170", f"No service for {request.path}")
            )
        if request.method != "GET" and not self._csrf_valid(request):
            return Response("CSRF token validation failed", 403, {"x-csrf-token": "Required"})
        try:
            response = self._route(request, match.groupdict())
        except ODataFailure as failure:
            response = odata_error(failure)
        if request.method == "GET" and request.headers.get("x-csrf-token", "").lower() == "fetch":
            self._issue_token(request, response)
        return response

    def _route(self, request: Request, parts: dict[str, str | None]) -> Response:
        service, entity, nav = parts["service"] or "", parts["entity"], parts["nav"]
        key = (parts["key"] or "").replace("''", "'") if parts["key"] is not None else None
        if entity is None and request.method == "GET":
            return json_response(200, {"d": {"EntitySets": _ENTITY_SETS[service]}})
        if entity not in _ENTITY_SETS[service]:
            raise ODataFailure(404, "/IWBEP/CM_MGW_RT/021", f"Resource not found: {entity}")
        store, base = self._store, f"{request.host_url}{ROOT[1:]}{service}"
        if entity == "A_SalesOrder" and request.method == "POST" and key is None:
            created = store.create_sales_order(_body(request))
            return json_response(201, {"d": _sales_order(base, created, expand=True)})
        if request.method != "GET":
            raise ODataFailure(405, "/IWBEP/CM_MGW_RT/008", f"{request.method} not allowed here")
        expand = request.args.get("$expand", "") == "to_Item"
        filter_text = request.args.get("$filter")
        if entity == "A_SalesOrder" and key is not None and nav == "to_Item":
            items = store.sales_order(key)["to_Item"]
            return _collection([_meta(base, "A_SalesOrderItem", i, *_ITEM_KEY) for i in items])
        if entity == "A_SalesOrder" and key is not None:
            return json_response(200, {"d": _sales_order(base, store.sales_order(key), expand)})
        if entity == "A_SalesOrder":
            found = [o for o in store.sales_orders.values() if matches(o, filter_text)]
            return _collection([_sales_order(base, o, expand) for o in found])
        if entity == "A_SalesOrderItem":
            items = [i for o in store.sales_orders.values() for i in o["to_Item"]]
            found = [i for i in items if matches(i, filter_text)]
            return _collection([_meta(base, entity, i, *_ITEM_KEY) for i in found])
        if entity == "A_BillingDocument" and key is not None:
            document = store.billing_documents.get(key)
            if document is None:
                raise ODataFailure(404, "/IWBEP/CM_MGW_RT/020", f"Resource not found: {key}")
            return json_response(200, {"d": _meta(base, entity, document, "BillingDocument")})
        if entity == "A_BillingDocument":
            docs = [d for d in store.billing_documents.values() if matches(d, filter_text)]
            return _collection([_meta(base, entity, d, "BillingDocument") for d in docs])
        items = [i for i in store.billing_items if matches(i, filter_text)]
        return _collection([_meta(base, entity, i, *_BILLING_ITEM_KEY) for i in items])

    def _admin(self, request: Request) -> Response:
        path = request.path
        try:
            if path == "/_admin/faults" and request.method == "POST":
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
            if path == "/_admin/calls" and request.method == "GET":
                return json_response(200, {"calls": self._calls})
            if path == "/_admin/csrf/expire" and request.method == "POST":
                self._sessions.clear()
                return json_response(200, {})
            if path == "/_admin/reset" and request.method == "POST":
                self._store, self._sessions, self._faults, self._calls = SapStore(), {}, [], []
                return json_response(200, {})
            bill = _BILL.match(path)
            if bill is not None and request.method == "POST":
                net_amount = _body(request).get("netAmount")
                document = self._store.bill(bill.group("number"), net_amount)
                return json_response(201, {"d": document})
        except ODataFailure as failure:
            return odata_error(failure)
        return odata_error(ODataFailure(404, "not_found", f"{request.method} {path}"))

    def _csrf_valid(self, request: Request) -> bool:
        session = request.cookies.get(SESSION_COOKIE)
        token = request.headers.get("x-csrf-token")
        expected = self._sessions.get(session or "")
        return bool(token and expected and secrets.compare_digest(token, expected))

    def _issue_token(self, request: Request, response: Response) -> None:
        session = request.cookies.get(SESSION_COOKIE)
        if session is None or session not in self._sessions:
            session = secrets.token_hex(16)
            self._sessions[session] = secrets.token_urlsafe(24)
            response.set_cookie(SESSION_COOKIE, session, path="/", httponly=True)
        response.headers["x-csrf-token"] = self._sessions[session]

    def _take_fault(self, path: str) -> Response | None:
        for fault in self._faults:
            if fault["path"] and not path.startswith(fault["path"]):
                continue
            fault["remaining"] -= 1
            if fault["remaining"] <= 0:
                self._faults.remove(fault)
            headers = {"Retry-After": str(fault["retryAfter"])} if fault["retryAfter"] else None
            failure = ODataFailure(
                fault["status"], "SIM/FAULT", f"injected fault {fault['status']}"
            )
            response = odata_error(failure)
            response.headers.extend(headers or {})
            return response
        return None


def _collection(results: list[Json]) -> Response:
    return json_response(200, {"d": {"results": results}})


def _meta(base: str, entity: str, row: Json, *keys: str) -> Json:
    if len(keys) == 1:
        key = f"'{row[keys[0]]}'"
    else:
        key = ",".join(f"{name}='{row[name]}'" for name in keys)
    uri = f"{base}/{entity}({key})"
    service = base.rsplit("/", 1)[-1]
    return {"__metadata": {"id": uri, "uri": uri, "type": f"{service}.{entity}Type"}, **row}


def _sales_order(base: str, order: Json, expand: bool) -> Json:
    header = _meta(
        base, "A_SalesOrder", {k: v for k, v in order.items() if k != "to_Item"}, "SalesOrder"
    )
    if expand:
        items = [_meta(base, "A_SalesOrderItem", i, *_ITEM_KEY) for i in order["to_Item"]]
        header["to_Item"] = {"results": items}
    else:
        header["to_Item"] = {"__deferred": {"uri": f"{header['__metadata']['uri']}/to_Item"}}
    return header


def _body(request: Request) -> Json:
    if not request.get_data():
        return {}
    try:
        body: Any = json.loads(request.get_data())
    except ValueError:
        raise ODataFailure(400, "/IWBEP/CM_MGW_RT/004", "Malformed JSON body") from None
    if not isinstance(body, dict):
        raise ODataFailure(400, "/IWBEP/CM_MGW_RT/004", "Body must be a JSON object")
    return body
