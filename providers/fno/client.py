"""An httpx client for the F&O OData service (`/data`): sales orders, lines and invoices.

Typed reads and creates serve the order-sending gateway and the inbound-order poller; the
generic entity operations (`get_entity`, `query_entities`, `create_entity`, `update_entity`)
serve the dual-write sync endpoint with raw rows (JSON decimals as Decimal, `@odata.etag`
kept). An update conditional on an ETag that moved on raises the sync port's VersionConflict.

Every request carries a bearer token from the client-credentials provider; a 401 drops the
cached token and retries once with a fresh one. Creates send the caller's idempotency key in
`Idempotency-Key` (F&O ignores it; our idempotency comes from looking documents up by
CustomersOrderReference / CustomersLineNumber before creating). Queries ask for
`cross-company=true` and follow `@odata.nextLink`. Failures raise the gateway port's
transient or permanent ProviderFailure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from providers.fno.auth import ClientCredentialsTokens
from providers.fno.errors import failure_for_response, failure_for_transport
from providers.fno.odata import (
    datetime_literal,
    entity_key,
    enum_literal,
    from_json,
    quote,
    to_json,
)
from providers.fno.schemas import (
    Page,
    ProcessingStatus,
    SalesInvoiceHeader,
    SalesOrderHeader,
    SalesOrderLine,
)
from services.providers.gateway import PermanentProviderFailure
from services.sync.ports import VersionConflict

IDEMPOTENCY_HEADER = "Idempotency-Key"
HEADERS = "SalesOrderHeadersV2"
LINES = "SalesOrderLines"
INVOICES = "SalesInvoiceHeadersV2"
ETAG = "@odata.etag"
Row = dict[str, Any]

_Row = TypeVar("_Row", bound=BaseModel)


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

    # --- any entity set -----------------------------------------------------------------------

    def get_entity(self, entity_set: str, key: Mapping[str, object]) -> Row | None:
        """The record with this key (every key property), or None when F&O has none."""
        try:
            response = self._call("GET", self._record_url(entity_set, key), None, None)
        except PermanentProviderFailure as failure:
            if failure.status == 404:
                return None
            raise
        return _row(response)

    def query_entities(
        self,
        entity_set: str,
        expression: str | None = None,
        top: int | None = None,
        *,
        orderby: str | None = None,
    ) -> list[Row]:
        """Records of every company matching `$filter` (all pages, at most `top` of them)."""
        params = {"cross-company": "true"}
        if expression:
            params["$filter"] = expression
        if top is not None:
            params["$top"] = str(top)
        if orderby:
            params["$orderby"] = orderby
        url: str | None = str(httpx.URL(f"{self._data}/{entity_set}", params=params))
        rows: list[Row] = []
        while url is not None and (top is None or len(rows) < top):
            page = from_json(self._call("GET", url, None, None).content)
            rows.extend(page["value"])
            url = page.get("@odata.nextLink")
        return rows if top is None else rows[:top]

    def create_entity(
        self, entity_set: str, body: Mapping[str, object], idempotency_key: str | None = None
    ) -> Row:
        """POST a record; the answer carries the key F&O assigned and the ETag."""
        url = f"{self._data}/{entity_set}"
        return _row(self._call("POST", url, to_json(body), idempotency_key))

    def update_entity(
        self,
        entity_set: str,
        key: Mapping[str, object],
        body: Mapping[str, object],
        if_match: str | None = None,
    ) -> Row:
        """PATCH a record (only if its ETag is still `if_match`); return it with its new ETag."""
        headers = {"Prefer": "return=representation"}
        if if_match is not None:
            headers["If-Match"] = if_match
        url = self._record_url(entity_set, key)
        response = self._call("PATCH", url, to_json(body), None, headers)
        if response.content:
            return _row(response)
        row = self.get_entity(entity_set, key)  # 204 No Content: read the record back
        if row is None:
            raise PermanentProviderFailure(f"F&O {entity_set} {dict(key)} vanished", status=404)
        return row

    def _record_url(self, entity_set: str, key: Mapping[str, object]) -> str:
        return f"{self._data}/{entity_set}{entity_key(key)}"

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
        return self._call(method, url, body, idempotency_key).json()

    def _call(
        self,
        method: str,
        url: str,
        body: Mapping[str, object] | None,
        idempotency_key: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        what = f"F&O {method} {httpx.URL(url).path}"
        response = self._request(what, method, url, body, idempotency_key, headers)
        if response.status_code == 401:  # the token may have been revoked: fetch one, once
            self._tokens.invalidate()
            response = self._request(what, method, url, body, idempotency_key, headers)
        if response.status_code == 412:
            version = (headers or {}).get("If-Match")
            raise VersionConflict(f"{what}: the record changed since version {version}")
        if response.status_code >= 400:
            raise failure_for_response(what, response)
        return response

    def _request(
        self,
        what: str,
        method: str,
        url: str,
        body: Mapping[str, object] | None,
        idempotency_key: str | None,
        extra: Mapping[str, str] | None,
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {self._tokens.token()}",
            "Accept": "application/json",
            "OData-Version": "4.0",
            **(extra or {}),
        }
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        try:
            return self._http.request(method, url, json=body, headers=headers)
        except httpx.TransportError as err:
            raise failure_for_transport(what, err) from err


def _row(response: httpx.Response) -> Row:
    """A single-record answer, with the ETag header as `@odata.etag` if the body lacks it."""
    row = from_json(response.content)
    if not isinstance(row, dict):
        raise PermanentProviderFailure(f"F&O answered {type(row).__name__}, not a record")
    if ETAG not in row and "ETag" in response.headers:
        row[ETAG] = response.headers["ETag"]
    return row
