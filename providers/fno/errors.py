"""F&O and Entra ID failures as the gateway port classifies them: transient or permanent."""

from __future__ import annotations

import httpx

from providers.http import failure_for_status, retry_after_seconds
from services.providers.gateway import (
    ProviderFailure,
    TransientProviderFailure,
)


def failure_for_response(what: str, response: httpx.Response) -> ProviderFailure:
    """429, 408 and 5xx are transient (with the Retry-After delay); other statuses permanent."""
    status = response.status_code
    message = f"{what} failed: HTTP {status} {_error_text(response)}"
    return failure_for_status(
        message, status, retry_after_seconds(response.headers.get("Retry-After"))
    )


def failure_for_transport(what: str, error: httpx.TransportError) -> TransientProviderFailure:
    """Timeouts and connection failures may succeed later."""
    return TransientProviderFailure(f"{what} failed: {type(error).__name__}: {error}")


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message", ""))[:200]
        if isinstance(error, str):
            return f"{error}: {body.get('error_description', '')}"[:200]
    return str(body)[:200]
