"""HTTP client for SAP S/4HANA OData v2: CSRF-protected sales order creation and billing reads.

Writes need a CSRF token: a `GET` with `x-csrf-token: Fetch` returns one together with a
session cookie (kept in this client's cookie jar); a write without a valid pair answers 403
with `x-csrf-token: Required`, after which the client fetches a fresh token and retries once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from providers.http import PooledClient, failure_for_status, retry_after_seconds
from providers.sap.schemas import (
    BillingDocument,
    BillingDocumentItem,
    SalesOrder,
    SalesOrderCreate,
    error_text,
)
from services.providers.gateway import (
    PermanentProviderFailure,
    ProviderFailure,
    TransientProviderFailure,
)

Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")
SALES_ORDERS = "/API_SALES_ORDER_SRV"
BILLING = "/API_BILLING_DOCUMENT_SRV"
CSRF_HEADER = "x-csrf-token"


class SapClient(PooledClient):
    """Talks to SAP with Basic auth; raises ProviderFailure for every failed call."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`base_url` is the OData root, e.g. `https://<host>/sap/opu/odata/sap`."""
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=(username, password),
            headers={"Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )
        self._token: str | None = None

    def fetch_csrf_token(self) -> str:
        """Fetch a CSRF token (the session cookie lands in the cookie jar) and keep it."""
        response = self._send("GET", f"{SALES_ORDERS}/", headers={CSRF_HEADER: "Fetch"})
        token = str(response.headers.get(CSRF_HEADER, ""))
        if not token or token.lower() == "required":
            raise PermanentProviderFailure(
                "SAP returned no CSRF token", status=response.status_code
            )
        self._token = token
        return token

    def find_sales_order(self, purchase_order_by_customer: str) -> SalesOrder | None:
        """The sales order carrying this customer reference, with its items, if SAP has one."""
        params = {
            "$filter": f"PurchaseOrderByCustomer eq {odata_string(purchase_order_by_customer)}",
            "$expand": "to_Item",
        }
        response = self._send("GET", f"{SALES_ORDERS}/A_SalesOrder", params=params)
        found = _results(SalesOrder, response)
        return found[0] if found else None

    def create_sales_order(self, order: SalesOrderCreate) -> SalesOrder:
        """Create the order by deep insert, unless one with its customer reference exists."""
        existing = self.find_sales_order(order.purchase_order_by_customer)
        if existing is not None:
            return existing
        response = self._write("POST", f"{SALES_ORDERS}/A_SalesOrder", order.wire())
        return _entity(SalesOrder, response)

    def billing_documents(self, sales_order: str) -> list[BillingDocument]:
        """The billing documents whose items reference this sales order, oldest first."""
        params = {"$filter": f"ReferenceSDDocument eq {odata_string(sales_order)}"}
        response = self._send("GET", f"{BILLING}/A_BillingDocumentItem", params=params)
        items = _results(BillingDocumentItem, response)
        numbers = list(dict.fromkeys(item.billing_document for item in items))
        return [
            _entity(BillingDocument, self._send("GET", f"{BILLING}/A_BillingDocument({key})"))
            for key in map(odata_string, numbers)
        ]

    def _write(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        token = self._token or self.fetch_csrf_token()
        response = self._request(method, path, json=body, headers={CSRF_HEADER: token})
        if response.status_code == 403 and _csrf_required(response):
            token = self.fetch_csrf_token()
            response = self._request(method, path, json=body, headers={CSRF_HEADER: token})
        if response.is_success:
            return response
        raise failure_for(response)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        response = self._request(method, path, params=params, headers=headers)
        if response.is_success:
            return response
        raise failure_for(response)

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            return self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TimeoutException as err:
            raise TransientProviderFailure(f"SAP {method} {path} timed out: {err}") from err
        except httpx.TransportError as err:
            raise TransientProviderFailure(f"SAP {method} {path} unreachable: {err}") from err


def odata_string(value: str) -> str:
    """An OData v2 string literal: single-quoted, inner quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def failure_for(response: httpx.Response) -> ProviderFailure:
    """The transient or permanent failure an unsuccessful SAP response stands for."""
    status = response.status_code
    said = error_text(response.content) or response.text[:200]
    if status == 403 and _csrf_required(response):
        said = f"CSRF token rejected after a fresh fetch ({said})"
    message = f"SAP {response.request.method} {response.request.url.path} -> {status} {said}"
    return failure_for_status(
        message, status, retry_after_seconds(response.headers.get("Retry-After"))
    )


def _csrf_required(response: httpx.Response) -> bool:
    return str(response.headers.get(CSRF_HEADER, "")).lower() == "required"


def _entity(model: type[Model], response: httpx.Response) -> Model:
    return _parsed(lambda body: model.model_validate(body["d"]), response)


def _results(model: type[Model], response: httpx.Response) -> list[Model]:
    return _parsed(lambda body: [model.model_validate(r) for r in body["d"]["results"]], response)


def _parsed(read: Callable[[Any], T], response: httpx.Response) -> T:
    try:
        return read(response.json())
    except (ValueError, KeyError, TypeError, ValidationError) as err:
        raise PermanentProviderFailure(
            f"SAP answered {response.request.url.path} with an unreadable body: {err!r}",
            status=response.status_code,
        ) from err
