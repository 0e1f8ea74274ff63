"""F&O client credentials and failure classification, against the F&O simulator over loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from providers.fno.auth import ClientCredentialsTokens
from providers.fno.client import FnoClient
from providers.fno.errors import retry_after_seconds
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from simulators.fno import FnoSimulator
from simulators.server import serve

TENANT, CLIENT_ID, SECRET = "contoso.onmicrosoft.com", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.sandbox.operations.dynamics.com"


@dataclass
class Env:
    sim: FnoSimulator
    url: str
    http: httpx.Client
    now: list[float]

    def client(self, secret: str = SECRET) -> FnoClient:
        tokens = ClientCredentialsTokens(
            self.http, authority=self.url, tenant=TENANT, client_id=CLIENT_ID,
            client_secret=secret, scope=f"{ENVIRONMENT}/.default", clock=lambda: self.now[0],
        )  # fmt: skip
        return FnoClient(self.http, self.url, tokens)

    def token_calls(self) -> int:
        return sum(1 for call in self.sim.calls if call.path.endswith("/oauth2/v2.0/token"))

    def fault(self, status: int, count: int = 1, retry_after: float | None = None) -> None:
        plan = {"status": status, "count": count, "retryAfter": retry_after}
        self.http.post(f"{self.url}/_admin/faults", json=plan).raise_for_status()


@pytest.fixture
def env() -> Iterator[Env]:
    sim = FnoSimulator(TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT)
    server, thread = serve(sim, 0)
    with httpx.Client(timeout=5) as http:
        yield Env(sim, f"http://127.0.0.1:{server.port}", http, [0.0])
    server.shutdown()
    thread.join(timeout=5)


def test_a_good_secret_gets_a_token_that_is_reused_until_near_expiry(env: Env) -> None:
    client = env.client()
    assert client.find_orders_by_reference("nothing") == []
    assert client.confirmed_orders() == []
    assert env.token_calls() == 1
    env.now[0] = 3599 - 61  # still more than the 60 s margin before expiry
    client.find_orders_by_reference("nothing")
    assert env.token_calls() == 1
    env.now[0] = 3599 - 59  # inside the margin: fetch a fresh one
    client.find_orders_by_reference("nothing")
    assert env.token_calls() == 2


def test_a_bad_secret_is_a_permanent_failure(env: Env) -> None:
    with pytest.raises(PermanentProviderFailure) as caught:
        env.client(secret="wrong").find_orders_by_reference("x")
    assert caught.value.status == 401
    assert "invalid_client" in str(caught.value)


def test_the_token_endpoint_refuses_a_wrong_scope_and_grant(env: Env) -> None:
    url = f"{env.url}/{TENANT}/oauth2/v2.0/token"
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}
    assert env.http.post(url, data={**form, "scope": "https://other/.default"}).status_code == 400
    wrong_grant = {**form, "grant_type": "password", "scope": f"{ENVIRONMENT}/.default"}
    assert env.http.post(url, data=wrong_grant).json()["error"] == "unsupported_grant_type"
    good = env.http.post(url, data={**form, "scope": f"{ENVIRONMENT}/.default"}).json()
    assert good["token_type"] == "Bearer"
    assert good["expires_in"] == 3599


def test_data_needs_a_bearer_token(env: Env) -> None:
    assert env.http.get(f"{env.url}/data/SalesOrderHeadersV2").status_code == 401
    headers = {"Authorization": "Bearer made-up"}
    assert env.http.get(f"{env.url}/data/SalesOrderHeadersV2", headers=headers).status_code == 401


def test_a_refused_token_is_replaced_once(env: Env) -> None:
    client = env.client()
    client.find_orders_by_reference("warm-up")
    env.fault(401, count=1)
    assert client.find_orders_by_reference("x") == []
    assert env.token_calls() == 2


def test_a_token_refused_twice_is_a_permanent_failure(env: Env) -> None:
    env.fault(401, count=2)
    with pytest.raises(PermanentProviderFailure) as caught:
        env.client().find_orders_by_reference("x")
    assert caught.value.status == 401


def test_429_is_transient_with_the_retry_after_delay(env: Env) -> None:
    env.fault(429, retry_after=7)
    with pytest.raises(TransientProviderFailure) as caught:
        env.client().find_orders_by_reference("x")
    assert caught.value.status == 429
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient(env: Env, status: int) -> None:
    env.fault(status)
    with pytest.raises(TransientProviderFailure) as caught:
        env.client().confirmed_orders()
    assert caught.value.status == status
    assert caught.value.retry_after is None


def test_a_validation_error_is_permanent(env: Env) -> None:
    with pytest.raises(PermanentProviderFailure) as caught:
        env.client().create_header({"dataAreaId": "usmf"}, "key-1")
    assert caught.value.status == 400
    assert "Customer account" in str(caught.value)


def test_an_unreachable_environment_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(timeout=2) as http:
        tokens = ClientCredentialsTokens(
            http, authority=url, tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET,
            scope=f"{ENVIRONMENT}/.default",
        )  # fmt: skip
        with pytest.raises(TransientProviderFailure):
            FnoClient(http, url, tokens).confirmed_orders()


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Fri, 01 May 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_the_simulator_can_be_configured_from_the_environment() -> None:
    sim = FnoSimulator.from_env(
        {
            "FNO_SIM_TENANT": "fabrikam",
            "FNO_SIM_CLIENT_SECRET": "x",
            "FNO_SIM_DEFAULT_COMPANY": "DEMF",
        }
    )
    assert (sim.tenant, sim.client_id, sim.client_secret) == ("fabrikam", "hub-app", "x")
    assert sim.store.default_company == "demf"
    assert sim.events_url is None
