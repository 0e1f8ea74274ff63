"""Provider status events: accepted by webhook into a queue, applied by a queue trigger."""

from __future__ import annotations

import hmac
import logging
from typing import Any

import azure.functions as func
from pydantic import RootModel, ValidationError

from bootstrap.container import get_container
from functions._http import BadRequest, handle_errors, json_response, parse_body
from services.errors import NotFound
from services.provider_events import (
    EVENTS_QUEUE,
    ProviderEvent,
    accept_event,
    apply_provider_event,
    read_queue_body,
)

logger = logging.getLogger(__name__)

bp = func.Blueprint()

SECRET_HEADER = "x-provider-secret"


class _JsonObject(RootModel[dict[str, Any]]):
    """Any JSON object: a provider's native event, translated before validation."""


@bp.function_name("receive_provider_event")
@bp.route(route="events/{provider}", methods=["POST"])
@handle_errors
def receive(req: func.HttpRequest) -> func.HttpResponse:
    """Accept a provider's status event (202) and queue it; a bad secret is a 401."""
    container = get_container()
    provider = req.route_params["provider"]
    expected = container.provider_secret(provider, "webhookSecret")
    if expected is None and provider not in {
        d.definition_id for d in container.providers.catalog()
    }:
        raise NotFound(f"no provider {provider!r} in the catalog")
    _authenticate(req, provider, expected)
    raw = parse_body(req, _JsonObject).root
    event = ProviderEvent.model_validate(container.translate_event(provider, raw))
    accept_event(container.publisher, provider, event)
    return json_response({"accepted": event.event_id}, 202)


def _authenticate(req: func.HttpRequest, provider: str, expected: str | None) -> None:
    """A signature of the body (providers that sign), else a shared secret header."""
    if expected is None:
        return
    container = get_container()
    signing = container.event_signature_header(provider)
    signed = req.headers.get(signing) if signing else None
    if signing is not None and signed is not None:
        if not container.event_is_signed(provider, expected, req.get_body(), signed):
            raise BadRequest(401, "Unauthorized", "the webhook signature does not match", signing)
        return
    native = container.event_secret_header(provider)
    given = req.headers.get(SECRET_HEADER) or (req.headers.get(native) if native else None) or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise BadRequest(401, "Unauthorized", "the provider secret does not match", SECRET_HEADER)


@bp.function_name("apply_provider_event")
@bp.queue_trigger(arg_name="msg", queue_name=EVENTS_QUEUE, connection="AzureWebJobsStorage")
def apply(msg: func.QueueMessage) -> None:
    """Apply a queued provider event to its order, once."""
    try:
        provider, event = read_queue_body(msg.get_body().decode())
    except (ValueError, KeyError, ValidationError):
        logger.exception("dropping malformed provider event %s", msg.id)
        return
    applied = apply_provider_event(get_container().engine, provider, event)
    logger.info("provider event %s from %s: %s", event.event_id, provider,
                "applied" if applied else "repeat or unknown order")  # fmt: skip
