"""OAuth 2.0 client credentials with Microsoft Entra ID; the token is cached until near expiry."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from providers.fno.errors import failure_for_response, failure_for_transport


class ClientCredentialsTokens:
    """Fetches `<env>/.default` tokens and reuses one until `margin` seconds before it expires."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        authority: str,
        tenant: str,
        client_id: str,
        client_secret: str,
        scope: str,
        margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._url = f"{authority.rstrip('/')}/{tenant}/oauth2/v2.0/token"
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        }
        self._margin, self._clock = margin, clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        """A valid access token, fetched only when none is cached or it is about to expire."""
        with self._lock:
            if self._token is not None and self._clock() < self._expires_at:
                return self._token
            started = self._clock()
            try:
                response = self._http.post(self._url, data=self._form)
            except httpx.TransportError as err:
                raise failure_for_transport("Entra ID token request", err) from err
            if response.status_code != 200:
                raise failure_for_response("Entra ID token request", response)
            body = response.json()
            self._token = str(body["access_token"])
            self._expires_at = started + float(body.get("expires_in", 0)) - self._margin
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token (F&O refused it); the next call fetches a new one."""
        with self._lock:
            self._token = None
