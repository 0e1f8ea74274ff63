"""Microsoft Entra ID as the Microsoft simulators need it: client-credentials tokens, checked.

F&O and Dataverse (Sales) both take a bearer token from `/<tenant>/oauth2/v2.0/token` for the
scope `<environment url>/.default`; one issuer serves both simulators.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from werkzeug.wrappers import Response


def oauth_error(status: int, error: str, description: str) -> Response:
    """An OAuth 2.0 error body, as Entra ID answers."""
    body = json.dumps({"error": error, "error_description": description})
    return Response(body, status=status, mimetype="application/json")


class TokenIssuer:
    """Issues tokens to one app registration for one scope and checks them on requests."""

    def __init__(
        self, tenant: str, client_id: str, client_secret: str, scope: str, lifetime: int
    ) -> None:
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self.scope, self.lifetime = scope, lifetime
        self._tokens: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def issue(self, tenant: str, form: Mapping[str, str]) -> Response:
        """The token endpoint's answer to a client-credentials request."""
        if tenant != self.tenant:
            return oauth_error(400, "invalid_request", f"tenant {tenant!r} not found")
        if form.get("grant_type") != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "only client_credentials")
        secret = form.get("client_secret")
        if form.get("client_id") != self.client_id or secret != self.client_secret:
            return oauth_error(401, "invalid_client", "AADSTS7000215: invalid client secret")
        if form.get("scope") != self.scope:
            return oauth_error(400, "invalid_scope", f"scope must be {self.scope}")
        token = uuid.uuid4().hex
        with self._lock:
            self._tokens[token] = datetime.now(UTC)
        body = {"token_type": "Bearer", "expires_in": self.lifetime, "access_token": token}
        return Response(json.dumps(body), status=200, mimetype="application/json")

    def authorized(self, authorization: str) -> bool:
        """True when the Authorization header carries a token issued here and not expired."""
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            issued = self._tokens.get(token) if scheme == "Bearer" else None
        age = None if issued is None else (datetime.now(UTC) - issued).total_seconds()
        return age is not None and age < self.lifetime
