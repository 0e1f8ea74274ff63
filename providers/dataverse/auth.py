"""Entra ID tokens for a Dataverse environment: the client-credentials flow F&O also uses.

The flow is the same for every Entra ID protected API (only the scope differs), so this module
reuses `providers.fno.auth.ClientCredentialsTokens` rather than keeping a second copy.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from providers.fno.auth import ClientCredentialsTokens


class TokenSource(Protocol):
    """Bearer tokens for the environment; `invalidate` after a 401."""

    def token(self) -> str:
        """A valid access token."""
        ...

    def invalidate(self) -> None:
        """Forget the cached token."""
        ...


def dataverse_tokens(
    http: httpx.Client,
    *,
    authority: str,
    tenant: str,
    client_id: str,
    client_secret: str,
    environment_url: str,
) -> ClientCredentialsTokens:
    """Client-credentials tokens for `<environment_url>/.default`."""
    return ClientCredentialsTokens(
        http,
        authority=authority,
        tenant=tenant,
        client_id=client_id,
        client_secret=client_secret,
        scope=f"{environment_url.rstrip('/')}/.default",
    )
