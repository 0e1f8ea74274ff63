"""Builds the sync endpoint of an activated provider instance (F&O OData, Dataverse for Sales).

F&O's endpoint wraps the client of the F&O gateway the registry already built (one token cache
and connection pool per instance). Sales has no flow actions, so no gateway: its Dataverse
client is built here the registry's way, secrets from the settings its connections name, cached
until the instance changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

from domain.providers.model import ProviderInstance
from providers.dataverse.auth import dataverse_tokens
from providers.dataverse.client import DataverseClient
from providers.dataverse.endpoint import DataverseSyncEndpoint
from providers.fno.gateway import FnoGateway
from providers.fno.sync import FnoSyncEndpoint
from services.providers.gateway import ProviderGateway
from services.sync.ports import SyncEndpoint

SecretLookup = Callable[[str], str | None]
GatewayFactory = Callable[[ProviderInstance], ProviderGateway | None]
TIMEOUT_SECONDS = 30.0
THROTTLE_RETRIES = 3  # Dataverse service protection: wait out Retry-After a few times in-call


class SyncEndpoints:
    """The sync endpoint of an activated instance of a sync target (fno, sales)."""

    def __init__(self, secrets: SecretLookup, gateways: GatewayFactory) -> None:
        self._secrets, self._gateways = secrets, gateways
        self._cache: dict[str, tuple[str, SyncEndpoint]] = {}
        self._lock = threading.Lock()

    def __call__(self, instance: ProviderInstance | None) -> SyncEndpoint | None:
        """The instance's endpoint, or None when it is absent or a setting it needs is missing."""
        if instance is None:
            return None
        if instance.definition_id == "fno":
            gateway = self._gateways(instance)
            return FnoSyncEndpoint(gateway.client) if isinstance(gateway, FnoGateway) else None
        version = instance.model_dump_json()
        with self._lock:
            cached = self._cache.get(instance.instance_id)
            if cached is not None and cached[0] == version:
                return cached[1]
            endpoint = self._build(instance)
            if endpoint is not None:
                self._cache[instance.instance_id] = (version, endpoint)
            return endpoint

    def _build(self, instance: ProviderInstance) -> SyncEndpoint | None:
        setting = instance.connections.get("clientSecret")
        secret = self._secrets(setting) if setting else None
        if instance.definition_id != "sales" or secret is None:
            return None
        try:
            return DataverseSyncEndpoint(_dataverse_client(instance.parameters, secret))
        except KeyError:
            return None  # a required parameter is missing


def _dataverse_client(p: dict[str, str], secret: str) -> DataverseClient:
    http = httpx.Client(timeout=TIMEOUT_SECONDS)
    tokens = dataverse_tokens(
        http, authority=p["tokenUrl"], tenant=p["tenant"], client_id=p["clientId"],
        client_secret=secret, environment_url=p["baseUrl"],
    )  # fmt: skip
    return DataverseClient(http, p["baseUrl"], tokens, throttle_retries=THROTTLE_RETRIES)
