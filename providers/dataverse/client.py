"""An httpx client for the Dataverse Web API (`/api/data/v9.2`), as Dynamics 365 Sales serves it.

Rows are dicts as Dataverse returns them (`@odata.etag`, `_<lookup>_value`, expanded lookups),
parsed with Decimal for every number with a fraction. A 401 drops the cached token and retries
once. 429 (service protection) and 5xx raise TransientProviderFailure with the Retry-After delay;
with `throttle_retries` the client itself waits out a short Retry-After on 429 first, which is
safe for every method because a throttled request was not executed. Other 4xx raise
PermanentProviderFailure carrying Dataverse's error message; a 412 on a conditional PATCH raises
VersionConflict.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from providers.dataverse.auth import TokenSource
from providers.dataverse.wire import dumps, loads
from providers.http import failure_for_status, retry_after_seconds
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from services.sync.ports import VersionConflict

Row = dict[str, Any]
API_PATH = "/api/data/v9.2"
MAX_PAGE_SIZE = 5000


class DataverseClient:
    """Reads and writes rows of one Dataverse environment."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        tokens: TokenSource,
        *,
        page_size: int = MAX_PAGE_SIZE,
        throttle_retries: int = 0,
        max_retry_after: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http, self._tokens = http, tokens
        self._api = f"{base_url.rstrip('/')}{API_PATH}"
        self._page_size = page_size
        self._throttle_retries, self._max_retry_after = throttle_retries, max_retry_after
        self._sleep = sleep

    # --- reads --------------------------------------------------------------------------------

    def query(
        self,
        entity_set: str,
        *,
        filter: str | None = None,
        select: str | None = None,
        expand: str | None = None,
        orderby: str | None = None,
        top: int | None = None,
    ) -> list[Row]:
        """The rows that pass `filter`, following `@odata.nextLink` until done or `top` rows."""
        params = {"$filter": filter, "$select": select, "$expand": expand, "$orderby": orderby}
        query = {name: value for name, value in params.items() if value}
        if top is not None:
            query["$top"] = str(top)
        page_size = self._page_size if top is None else max(1, min(top, self._page_size))
        prefer = f"odata.maxpagesize={page_size}"
        url: str | None = str(httpx.URL(f"{self._api}/{entity_set}", params=query))
        rows: list[Row] = []
        while url is not None and (top is None or len(rows) < top):
            page = self._send("GET", url, prefer=prefer)
            rows.extend(page.get("value", []))
            url = page.get("@odata.nextLink")
        return rows if top is None else rows[:top]

    def get(
        self, entity_set: str, row_id: str, *, select: str | None = None, expand: str | None = None
    ) -> Row | None:
        """The row with this id, or None when Dataverse has none."""
        params = {
            name: value for name, value in (("$select", select), ("$expand", expand)) if value
        }
        url = str(httpx.URL(f"{self._api}/{entity_set}({row_id})", params=params))
        try:
            row: Row = self._send("GET", url)
        except PermanentProviderFailure as failure:
            if failure.status == 404:
                return None
            raise
        return row

    # --- writes -------------------------------------------------------------------------------

    def create(self, entity_set: str, body: Mapping[str, object]) -> Row:
        """POST a row and return it as created (`Prefer: return=representation`)."""
        row: Row = self._send(
            "POST", f"{self._api}/{entity_set}", body, prefer="return=representation"
        )
        return row

    def update(
        self,
        entity_set: str,
        row_id: str,
        body: Mapping[str, object],
        *,
        if_match: str = "*",
        representation: bool = True,
    ) -> Row | None:
        """PATCH a row; `if_match` is its ETag (VersionConflict when it moved on) or `*`.

        `*` still refuses to create a missing row (PATCH would otherwise upsert). Returns the
        updated row, or None without `representation`.
        """
        url = f"{self._api}/{entity_set}({row_id})"
        prefer = "return=representation" if representation else None
        try:
            row: Row | None = self._send("PATCH", url, body, prefer=prefer, if_match=if_match)
        except PermanentProviderFailure as failure:
            if failure.status == 412:
                raise VersionConflict(f"{entity_set}({row_id}) changed: {failure}") from failure
            raise
        return row

    # --- transport ----------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        body: Mapping[str, object] | None = None,
        *,
        prefer: str | None = None,
        if_match: str | None = None,
    ) -> Any:
        what = f"Dataverse {method} {httpx.URL(url).path}"
        headers = {"Prefer": prefer, "If-Match": if_match}
        extra = {name: value for name, value in headers.items() if value is not None}
        content = None if body is None else dumps(body)
        response = self._with_retries(what, method, url, content, extra)
        if response.status_code >= 400:
            raise _failure(what, response)
        if response.status_code == 204 or not response.content:
            return None
        return loads(response.text)

    def _with_retries(
        self, what: str, method: str, url: str, content: str | None, extra: dict[str, str]
    ) -> httpx.Response:
        response = self._request(what, method, url, content, extra)
        if response.status_code == 401:  # the token may have been revoked: fetch one, once
            self._tokens.invalidate()
            response = self._request(what, method, url, content, extra)
        for _ in range(self._throttle_retries):
            delay = retry_after_seconds(response.headers.get("Retry-After"))
            if response.status_code != 429 or delay is None or delay > self._max_retry_after:
                break
            self._sleep(delay)
            response = self._request(what, method, url, content, extra)
        return response

    def _request(
        self, what: str, method: str, url: str, content: str | None, extra: dict[str, str]
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {self._tokens.token()}",
            "Accept": "application/json",
            "OData-MaxVersion": "4.0",
            "OData-Version": "4.0",
            **extra,
        }
        if content is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            return self._http.request(method, url, content=content, headers=headers)
        except httpx.TransportError as err:
            raise TransientProviderFailure(f"{what} failed: {type(err).__name__}: {err}") from err


def _failure(what: str, response: httpx.Response) -> Exception:
    """The gateway failure for an error response, with Dataverse's code and message."""
    status = response.status_code
    message = f"{what} failed: HTTP {status} {_error_text(response)}".rstrip()
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    return failure_for_status(message, status, retry_after)


def _error_text(response: httpx.Response) -> str:
    try:
        body = loads(response.text)
    except ValueError:
        return response.text[:300]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')}: {error.get('message', '')}"[:300]
    if isinstance(error, str):  # Entra ID's OAuth error shape
        return f"{error}: {body.get('error_description', '')}"[:300]
    return str(body)[:300]
