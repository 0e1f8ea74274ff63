"""A running hub and the five simulators, reached by URL: providers, callbacks, flows and DOM."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from simulators.flexe.app import DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET
from simulators.sales.wire import DUPLICATE
from simulators.sap.app import DEFAULT_PASSWORD, DEFAULT_USERNAME

ROOT = Path(__file__).resolve().parent.parent
STORE_HASH, BC_TOKEN, BC_SECRET_HEADER = "simstore", "sim-token", "X-Hub-Webhook-Secret"
FNO_TENANT, FNO_CLIENT_ID, FNO_CLIENT_SECRET, COMPANY = "contoso", "hub-app", "sim-secret", "usmf"
FNO_EVENTS_SECRET = "demo-fno-events-secret"
# What SalesSimulator.from_env accepts when no SALES_SIM_* credentials are set.
SALES_TENANT, SALES_CLIENT_ID, SALES_CLIENT_SECRET = "contoso", "hub-app", "sim-secret"
FNO_CUSTOMER, FNO_ITEM = "US-001", "1000"  # the F&O scenarios' customer and item
BC_WEBHOOK_SECRET = "demo-bigcommerce-webhook-secret"
FLEXE_WAREHOUSE = "flexe-sea-1"
DOM_SOURCE, DOM_WAREHOUSE, DOM_STRATEGY = "DEMO-SEA", "11", "Demo nearest"

# The hub's app settings (environment variables of the host) the provider connections name.
SETTINGS: dict[str, str] = {
    "DEMO_BIGCOMMERCE_API_TOKEN": BC_TOKEN,
    "DEMO_BIGCOMMERCE_WEBHOOK_SECRET": BC_WEBHOOK_SECRET,
    "DEMO_FNO_CLIENT_SECRET": FNO_CLIENT_SECRET,
    "DEMO_FNO_EVENTS_SECRET": FNO_EVENTS_SECRET,
    "DEMO_SALES_CLIENT_SECRET": SALES_CLIENT_SECRET,
    "DEMO_FLEXE_API_KEY": DEFAULT_API_KEY,
    "DEMO_FLEXE_WEBHOOK_SECRET": DEFAULT_WEBHOOK_SECRET,
    "DEMO_SAP_PASSWORD": DEFAULT_PASSWORD,
}


@dataclass(frozen=True)
class Urls:
    """Where the hub and each simulator answer."""

    hub: str = "http://127.0.0.1:7071"
    bigcommerce: str = "http://127.0.0.1:7081"
    flexe: str = "http://127.0.0.1:7083"
    fno: str = "http://127.0.0.1:7084"
    sap: str = "http://127.0.0.1:7085"
    sales: str = "http://127.0.0.1:7086"


def simulator_env(urls: Urls) -> dict[str, str]:
    """The simulators' variables (simulators/__main__.py) that make them call the hub back."""
    return {
        "BIGCOMMERCE_SIM_STORE_HASH": STORE_HASH,
        "BIGCOMMERCE_SIM_TOKEN": BC_TOKEN,
        "BIGCOMMERCE_SIM_WEBHOOK_URL": f"{urls.hub}/api/webhooks/bigcommerce",
        "BIGCOMMERCE_SIM_WEBHOOK_HEADER": BC_SECRET_HEADER,
        "BIGCOMMERCE_SIM_WEBHOOK_SECRET": BC_WEBHOOK_SECRET,
        "FLEXE_SIM_WEBHOOK_URL": f"{urls.hub}/api/events/flexe",
        "FNO_SIM_ENVIRONMENT_URL": urls.fno,
        "FNO_SIM_EVENTS_URL": f"{urls.hub}/api/events/fno",
        "FNO_SIM_EVENTS_SECRET": FNO_EVENTS_SECRET,
        # Dual-write: the hub checks change notifications against F&O's webhookSecret, the
        # same setting as its business events, so both feeds share the secret.
        "FNO_SIM_CHANGES_URL": f"{urls.hub}/api/sync/changes/fno",
        "FNO_SIM_CHANGES_SECRET": FNO_EVENTS_SECRET,
        # Tokens are scoped to `<environment>/.default` and the hub asks for its baseUrl's.
        "SALES_SIM_ENVIRONMENT_URL": urls.sales,
    }


def providers(urls: Urls) -> list[dict[str, Any]]:
    """The five providers' install bodies, with the simulators' URLs and credentials."""
    return [
        {"definitionId": "bigcommerce", "name": "BigCommerce (simulator)",
         "parameters": {"baseUrl": urls.bigcommerce, "storeHash": STORE_HASH},
         "connections": {"apiToken": "DEMO_BIGCOMMERCE_API_TOKEN",
                         "webhookSecret": "DEMO_BIGCOMMERCE_WEBHOOK_SECRET"}},
        {"definitionId": "fno", "name": "Finance + Operations (simulator)",
         "parameters": {"baseUrl": urls.fno, "tokenUrl": urls.fno, "tenant": FNO_TENANT,
                        "clientId": FNO_CLIENT_ID, "dataAreaId": COMPANY},
         "connections": {"clientSecret": "DEMO_FNO_CLIENT_SECRET",
                         "webhookSecret": "DEMO_FNO_EVENTS_SECRET"}},
        {"definitionId": "flexe", "name": "Flexe (simulator)",
         "parameters": {"baseUrl": urls.flexe, "warehouseId": FLEXE_WAREHOUSE},
         "connections": {"apiKey": "DEMO_FLEXE_API_KEY",
                         "webhookSecret": "DEMO_FLEXE_WEBHOOK_SECRET"}},
        {"definitionId": "sap", "name": "SAP S/4HANA (simulator)",
         "parameters": {"baseUrl": f"{urls.sap}/sap/opu/odata/sap", "user": DEFAULT_USERNAME,
                        "SalesOrganization": "1710", "DistributionChannel": "10",
                        "OrganizationDivision": "00"},
         "connections": {"password": "DEMO_SAP_PASSWORD"}},
        {"definitionId": "sales", "name": "Dynamics 365 Sales (simulator)",
         "parameters": {"baseUrl": urls.sales, "tokenUrl": urls.sales, "tenant": SALES_TENANT,
                        "clientId": SALES_CLIENT_ID},
         "connections": {"clientSecret": "DEMO_SALES_CLIENT_SECRET"}},
    ]  # fmt: skip


class HubError(RuntimeError):
    """A call to the hub or a simulator answered with an error."""


def ok(response: httpx.Response) -> Any:
    """The JSON body of a successful response; HubError otherwise."""
    if response.status_code >= 400:
        request = response.request
        raise HubError(f"{request.method} {request.url}: {response.status_code} {response.text}")
    return response.json() if response.content else None


@dataclass
class World:
    """HTTP clients for the hub's API and the simulators."""

    urls: Urls
    api: httpx.Client = field(init=False)
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.api = httpx.Client(base_url=f"{self.urls.hub}/api", timeout=30)
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        """Close the clients."""
        self.api.close()
        self.http.close()

    def run_function(self, name: str) -> None:
        """Run a timer or queue function now through the host's admin endpoint."""
        response = self.http.post(f"{self.urls.hub}/admin/functions/{name}", json={"input": ""})
        if response.status_code != 202:
            raise HubError(f"running {name}: {response.status_code} {response.text}")


def _load_flows_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_flows", ROOT / "scripts" / "load_flows.py")
    if spec is None or spec.loader is None:
        raise HubError("scripts/load_flows.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def install_providers(world: World) -> None:
    """Install and activate each provider unless an active one already has this configuration."""
    installed = ok(world.api.get("/providers"))["providers"]
    for body in providers(world.urls):
        same = [
            p for p in installed
            if p["definitionId"] == body["definitionId"] and p["status"] == "Activated"
            and p["parameters"] == body["parameters"] and p["connections"] == body["connections"]
        ]  # fmt: skip
        if not same:
            instance = ok(world.api.post("/providers", json=body))
            ok(world.api.post(f"/providers/{instance['instanceId']}/activate"))


def point_callbacks(world: World) -> None:
    """Point BigCommerce's webhooks and Flexe's status webhook at the hub."""
    env = simulator_env(world.urls)
    ok(world.http.put(f"{world.urls.bigcommerce}/_admin/webhooks", json={
        "destination": env["BIGCOMMERCE_SIM_WEBHOOK_URL"],
        "headers": {BC_SECRET_HEADER: BC_WEBHOOK_SECRET},
    }))  # fmt: skip
    ok(world.http.post(f"{world.urls.flexe}/_admin/webhook", json={
        "url": env["FLEXE_SIM_WEBHOOK_URL"], "secret": DEFAULT_WEBHOOK_SECRET,
    }))  # fmt: skip


def set_up_dom(world: World) -> None:
    """A source, a default strategy over it and backorders on (scenario 6)."""
    api = world.api
    if api.get(f"/sources/{DOM_SOURCE}").status_code == 404:
        ok(api.post("/sources", json={
            "sourceId": DOM_SOURCE, "name": "Seattle DC", "shippingSite": "1",
            "shippingWarehouse": DOM_WAREHOUSE, "location": {"latitude": 47.6, "longitude": -122.3},
        }))  # fmt: skip
    if api.get(f"/strategies/{DOM_STRATEGY}").status_code == 404:
        ok(api.post("/strategies", json={
            "name": DOM_STRATEGY, "isDefault": True,
            "sourceList": {"name": f"{DOM_STRATEGY} list", "sourceIds": [DOM_SOURCE]},
        }))  # fmt: skip
    ok(api.put("/settings/order-handling", json={"backorders": True, "cancellationSlaDays": 7}))


def seed_sales(world: World) -> None:
    """Give Sales the F&O scenarios' account and product, which Prospect-to-cash looks up."""
    references = {
        "accounts": {"accountnumber": FNO_CUSTOMER},
        "products": {"productnumber": FNO_ITEM, "msdyn_productnumber": FNO_ITEM},
    }
    for entity_set, row in references.items():
        response = world.http.post(f"{world.urls.sales}/_admin/reference/{entity_set}", json=row)
        # Seeded by an earlier `make demo` against the same simulator: nothing to do.
        if response.status_code == 400 and response.json()["error"]["code"] == DUPLICATE:
            continue
        ok(response)


def prepare(world: World, wait_seconds: float = 120) -> list[str]:
    """What the six scenarios and their sync to Sales need; the names of the flows created now."""
    loader = _load_flows_module()
    loader.wait_for(world.api, wait_seconds)
    install_providers(world)
    point_callbacks(world)
    seed_sales(world)
    set_up_dom(world)
    created: list[str] = loader.load_flows(world.api, loader.load_policies(world.api))
    return created
