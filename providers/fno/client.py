"""An httpx client for the F&O OData service (`/data`): sales orders, lines and invoices.

Every request carries a bearer token from the client-credentials provider; a 401 drops the
cached token and retries once with a fresh one. Creates send the caller's idempotency key in
`Idempotency-Key` (F&O ignores it; our idempotency comes from looking documents up by
CustomersOrderReference / CustomersLineNumber before creating). Queries ask for
`cross-company=true` and follow `@odata.nextLink`. Failures raise the gateway port's
transient or permanent ProviderFailure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from providers.fno.auth import ClientCredentialsTokens
from providers.fno.errors import failure_for_response, failure_for_transport
from providers.fno.schemas import (
    Page,
    ProcessingStatus,
    SalesInvoiceHeader,
    SalesOrderHeader,
    SalesOrderLine,
)
from services.providers.gateway import PermanentProviderFailure

IDEMPOTENCY_HEADER = "Idempotency-Key"
HEADERS = "SalesOrderHeadersV2"
LINES = "SalesOrderLines"
INVOICES = "SalesInvoiceHeadersV2"
_ENUM_NAMESPACE = "Microsoft.Dynamics.DataEntities"

_Row = TypeVar("_Row", bound=BaseModel)


def quote(value: str) -> str:
    """An OData string literal (single quotes doubled)."""
    escaped = value.replace("'", "''")
    return f"'{escaped}'"


def enum_literal(enum: str, symbol: str) -> str:
    """An F&O enum literal for `$filter`: `Microsoft.Dynamics.DataEntities.<Enum>'<Symbol>'`."""
    return f"{_ENUM_NAMESPACE}.{enum}'{symbol}'"


def datetime_literal(moment: datetime) -> str:
    """An OData v4 Edm.DateTimeOffset literal in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FnoClient:
    """Reads and writes sales documents in one F&O environment."""

    def __init__(self, http: httpx.Client, base_url: str, tokens: ClientCredentialsTokens) -> None:
        self._http = http
        self._data = f"{base_url.rstrip('/')}/data"
        self._tokens = tokens

    # --- writes -------------------------------------------------------------------------------

    def create_header(self, body: Mapping[str, object], idempotency_key: str) -> SalesOrderHeader:
        """POST a SalesOrderHeadersV2 record; F&O assigns the SalesOrderNumber."""
        created = self._send("POST", f"{self._data}/{HEADERS}", body, idempotency_key)
        return SalesOrderHeader.model_validate(created)

    def create_line(self, body: Mapping[str, object], idempotency_key: str) -> SalesOrderLine:
        """POST a SalesOrderLines record onto an existing order; F&O assigns the InventoryLotId."""
        created = self._send("POST", f"{self._data}/{LINES}", body, idempotency_key)
        return SalesOrderLine.model_validate(created)

    # --- reads --------------------------------------------------------------------------------

    def get_order(self, data_area_id: str, number: str) -> SalesOrderHeader | None:
        """The order with this key, or None when F&O has no such order."""
        key = f"dataAreaId={quote(data_area_id)},SalesOrderNumber={quote(number)}"
        try:
            row = self._send("GET", f"{self._data}/{HEADERS}({key})", None, None)
        except PermanentProviderFailure as failure:
            if failure.status == 404:
                return None
            raise
        return SalesOrderHeader.model_validate(row)

    def find_orders_by_reference(self, reference: str) -> list[SalesOrderHeader]:
        """Orders in any company whose CustomersOrderReference is `reference`."""
        expression = f"CustomersOrderReference eq {quote(reference)}"
        return self._query(HEADERS, expression, SalesOrderHeader)

    def order_lines(self, data_area_id: str, number: str) -> list[SalesOrderLine]:
        """The lines of one order."""
        expression = f"dataAreaId eq {quote(data_area_id)} and SalesOrderNumber eq {quote(number)}"
        return self._query(LINES, expression, SalesOrderLine)

    def confirmed_orders(self, created_since: datetime | None = None) -> list[SalesOrderHeader]:
        """Orders past Active (confirmed or later), optionally only those created since a time.

        SalesOrderHeadersV2 has no modified stamp, so the watermark is OrderCreationDateTime:
        callers keep it behind the oldest order still Active, because an order may be confirmed
        long after it was created. Placing an order is idempotent, so reading one twice is safe.
        """
        active = enum_literal("SalesOrderProcessingStatus", ProcessingStatus.ACTIVE)
        expression = f"SalesOrderProcessingStatus ne {active}"
        if created_since is not None:
            expression += f" and OrderCreationDateTime ge {datetime_literal(created_since)}"
        return self._query(HEADERS, expression, SalesOrderHeader)

    def invoices_for_order(self, data_area_id: str, number: str) -> list[SalesInvoiceHeader]:
        """The invoices posted for one order."""
        expression = f"dataAreaId eq {quote(data_area_id)} and SalesOrderNumber eq {quote(number)}"
        return self._query(INVOICES, expression, SalesInvoiceHeader)

    # --- transport ----------------------------------------------------------------------------

    def _query(self, entity: str, expression: str, row: type[_Row]) -> list[_Row]:
        params = {"$filter": expression, "cross-company": "true"}
        url: str | None = str(httpx.URL(f"{self._data}/{entity}", params=params))
        rows: list[_Row] = []
        while url is not None:
            page = Page.model_validate(self._send("GET", url, None, None))
            rows.extend(row.model_validate(item) for item in page.value)
            url = page.next_link
        return rows

    def _send(
        self, method: str, url: str, body: Mapping[str, object] | None, idempotency_key: str | None
    ) -> Any:
        what = f"F&O {method} {httpx.URL(url).path}"
        response = self._request(what, method, url, body, idempotency_key)
        if response.status_code == 401:  # the token may have been revoked: fetch one, once
            self._tokens.invalidate()
            response = self._request(what, method, url, body, idempotency_key)
        if response.status_code >= 400:
            raise failure_for_response(what, response)
        return response.json()

    def _request(
        self,
        what: str,
        method: str,
        url: str,
        body: Mapping[str, object] | None,
        idempotency_key: str | None,
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {self._tokens.token()}",
            "Accept": "application/json",
            "OData-Version": "4.0",
        }
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        try:
            return self._http.request(method, url, json=body, headers=headers)
        except httpx.TransportError as err:
            raise failure_for_transport(what, err) from err
