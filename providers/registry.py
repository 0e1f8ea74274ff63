"""Builds the client (gateway) of an activated provider instance from its parameters.

Secrets are looked up by the setting names the instance's connections hold, so they come from
the app's configuration (or Key Vault references) and never from storage or the API. A gateway
is built per instance and cached until the instance changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

from domain.providers.model import ProviderInstance
from providers.bigcommerce.client import BigCommerceClient
from providers.bigcommerce.gateway import BigCommerceGateway
from providers.flexe.client import FlexeClient
from providers.flexe.gateway import FlexeGateway
from providers.fno.auth import ClientCredentialsTokens
from providers.fno.client import FnoClient
from providers.fno.gateway import FnoGateway
from providers.sap.client import SapClient
from providers.sap.gateway import SapGateway
from services.providers.gateway import ProviderGateway

SecretLookup = Callable[[str], str | None]
TIMEOUT_SECONDS = 30.0


class GatewayRegistry:
    """Implements the runner's gateway factory: one client per activated instance."""

    def __init__(self, secrets: SecretLookup) -> None:
        self._secrets = secrets
        self._cache: dict[str, tuple[str, ProviderGateway]] = {}
        self._lock = threading.Lock()

    def __call__(self, instance: ProviderInstance) -> ProviderGateway | None:
        """The instance's gateway, or None when a parameter or secret it needs is missing."""
        version = instance.model_dump_json()
        with self._lock:
            cached = self._cache.get(instance.instance_id)
            if cached is not None and cached[0] == version:
                return cached[1]
            gateway = self._build(instance)
            if gateway is not None:
                self._cache[instance.instance_id] = (version, gateway)
            return gateway

    def _secret(self, instance: ProviderInstance, connection: str) -> str | None:
        setting = instance.connections.get(connection)
        return self._secrets(setting) if setting else None

    def _build(self, instance: ProviderInstance) -> ProviderGateway | None:
        p = instance.parameters
        builder = {
            "bigcommerce": self._bigcommerce, "fno": self._fno,
            "flexe": self._flexe, "sap": self._sap,
        }.get(instance.definition_id)  # fmt: skip
        try:
            return builder(instance, p) if builder else None
        except KeyError:
            return None  # a required parameter is missing: the runner says it is not usable

    def _bigcommerce(self, i: ProviderInstance, p: dict[str, str]) -> ProviderGateway | None:
        token = self._secret(i, "apiToken")
        if token is None:
            return None
        client = BigCommerceClient(p["baseUrl"], p["storeHash"], token, timeout_s=TIMEOUT_SECONDS)
        return BigCommerceGateway(client)

    def _fno(self, i: ProviderInstance, p: dict[str, str]) -> ProviderGateway | None:
        secret = self._secret(i, "clientSecret")
        if secret is None:
            return None
        http = httpx.Client(timeout=TIMEOUT_SECONDS)
        tokens = ClientCredentialsTokens(
            http, authority=p["tokenUrl"], tenant=p["tenant"], client_id=p["clientId"],
            client_secret=secret, scope=f"{p['baseUrl'].rstrip('/')}/.default",
        )  # fmt: skip
        return FnoGateway(FnoClient(http, p["baseUrl"], tokens))

    def _flexe(self, i: ProviderInstance, p: dict[str, str]) -> ProviderGateway | None:
        key = self._secret(i, "apiKey")
        if key is None:
            return None
        return FlexeGateway(FlexeClient(p["baseUrl"], key, timeout=TIMEOUT_SECONDS))

    def _sap(self, i: ProviderInstance, p: dict[str, str]) -> ProviderGateway | None:
        password = self._secret(i, "password")
        if password is None:
            return None
        return SapGateway(SapClient(p["baseUrl"], p["user"], password, timeout=TIMEOUT_SECONDS))
