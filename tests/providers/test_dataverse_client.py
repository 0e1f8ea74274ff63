"""The Dataverse Web API client and the Sales sync endpoint, against the Sales simulator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from domain.filters import FilterValue
from providers.dataverse.auth import dataverse_tokens
from providers.dataverse.client import DataverseClient
from providers.dataverse.endpoint import DataverseSyncEndpoint
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from services.sync.ports import VersionConflict
from simulators.sales import DEFAULT_PRICE_LIST, PROCESSING_STATUS, SalesSimulator
from simulators.server import serve
from tests.support.azurite import free_port

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.crm.dynamics.com"


@dataclass
class Env:
    sim: SalesSimulator
    url: str
    http: httpx.Client
    slept: list[float] = field(default_factory=list)

    def client(self, secret: str = SECRET, **options: int) -> DataverseClient:
        tokens = dataverse_tokens(
            self.http,
            authority=self.url,
            tenant=TENANT,
            client_id=CLIENT_ID,
            client_secret=secret,
            environment_url=ENVIRONMENT,
        )
        return DataverseClient(self.http, self.url, tokens, sleep=self.slept.append, **options)

    def endpoint(self) -> DataverseSyncEndpoint:
        return DataverseSyncEndpoint(self.client())

    def fault(self, status: int, count: int, retry_after: float, match: str) -> None:
        plan = {"status": status, "count": count, "retryAfter": retry_after, "match": match}
        self.http.post(f"{self.url}/_admin/faults", json=plan).raise_for_status()

    def calls(self, method: str, suffix: str) -> int:
        return sum(1 for c in self.sim.calls if c.method == method and c.path.endswith(suffix))


@pytest.fixture
def env() -> Iterator[Env]:
    sim = SalesSimulator(TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT)
    sim.store.add_reference("accounts", {"accountnumber": "US-001", "name": "Contoso"})
    sim.store.add_reference("products", {"productnumber": "D0001", "name": "Desk"})
    server, thread = serve(sim, free_port())
    with httpx.Client(timeout=5) as http:
        yield Env(sim, f"http://127.0.0.1:{server.port}", http)
    server.shutdown()
    thread.join(timeout=5)


HEADER: dict[str, FilterValue] = {
    "name": "Web order BC-100",
    "customerid.accountnumber": "US-001",
    "pricelevelid.name": DEFAULT_PRICE_LIST,
    "transactioncurrencyid.isocurrencycode": "USD",
    "discountamount": Decimal("10.00"),
    "requestdeliveryby": datetime(2026, 5, 2, 9, 30, tzinfo=UTC),
}


# --- client -------------------------------------------------------------------------------------


def test_token_is_fetched_once_and_sent_with_odata_headers(env: Env) -> None:
    client = env.client()
    created = client.create("salesorders", {"name": "A"})
    assert client.get("salesorders", created["salesorderid"]) is not None
    assert env.calls("POST", "/oauth2/v2.0/token") == 1


def test_bad_client_secret_is_permanent(env: Env) -> None:
    with pytest.raises(PermanentProviderFailure, match="invalid_client"):
        env.client(secret="wrong").query("salesorders")


def test_create_get_update_with_etag_and_conflict(env: Env) -> None:
    client = env.client()
    created = client.create("salesorders", {"name": "A", "totalamount": Decimal("3.33")})
    assert created["totalamount"] == Decimal("3.33")
    assert isinstance(created["totalamount"], Decimal)
    order_id = created["salesorderid"]
    updated = client.update("salesorders", order_id, {"name": "B"}, if_match=created["@odata.etag"])
    assert updated is not None
    assert updated["name"] == "B"
    with pytest.raises(VersionConflict):
        client.update("salesorders", order_id, {"name": "C"}, if_match=created["@odata.etag"])
    assert client.update("salesorders", order_id, {"name": "D"}, representation=False) is None
    got = client.get("salesorders", order_id)
    assert got is not None
    assert got["name"] == "D"
    assert client.get("salesorders", "6f9619ff-8b86-d011-b42d-00c04fc964ff") is None


def test_query_filters_and_follows_next_links(env: Env) -> None:
    client = env.client(page_size=2)
    for number in range(5):
        client.create("salesorders", {"name": f"O{number}", "totalamount": number})
    rows = client.query("salesorders", filter="totalamount ge 1", orderby="name", select="name")
    assert [row["name"] for row in rows] == ["O1", "O2", "O3", "O4"]
    assert env.calls("GET", "/salesorders") == 2
    assert [r["name"] for r in client.query("salesorders", orderby="name", top=3)] == [
        "O0",
        "O1",
        "O2",
    ]


def test_throttling_is_transient_with_retry_after_then_succeeds(env: Env) -> None:
    client = env.client()
    env.fault(429, 1, 0.05, "salesorders")
    with pytest.raises(TransientProviderFailure) as caught:
        client.query("salesorders")
    assert caught.value.status == 429
    assert caught.value.retry_after == pytest.approx(0.05)
    assert client.query("salesorders") == []  # after the wait, the next try goes through


def test_client_can_wait_out_a_short_retry_after_itself(env: Env) -> None:
    client = env.client(throttle_retries=2)
    env.fault(429, 2, 0.01, "salesorders")
    assert client.create("salesorders", {"name": "A"})["name"] == "A"
    assert env.slept == [0.01, 0.01]
    env.fault(503, 1, 0.01, "salesorders")  # 503 is not waited out: the caller's queue retries
    with pytest.raises(TransientProviderFailure):
        client.query("salesorders")


def test_dataverse_error_message_reaches_the_permanent_failure(env: Env) -> None:
    bind = {"customerid_account@odata.bind": "/accounts(accountnumber='NOPE')"}
    with pytest.raises(PermanentProviderFailure, match="0x80060892.*does not exist") as caught:
        env.client().create("salesorders", bind)
    assert caught.value.status == 400


# --- sync endpoint ------------------------------------------------------------------------------


def test_endpoint_writes_lookups_by_alternate_key_and_reads_them_back(env: Env) -> None:
    endpoint = env.endpoint()
    header = endpoint.create("salesorders", HEADER)
    assert header.fields["customerid.accountnumber"] == "US-001"
    assert header.fields["pricelevelid.name"] == DEFAULT_PRICE_LIST
    assert header.fields["transactioncurrencyid.isocurrencycode"] == "USD"
    assert header.fields["discountamount"] == Decimal("10.00")
    assert header.fields["requestdeliveryby"] == "2026-05-02T09:30:00Z"
    assert header.version is not None
    assert header.version.startswith('W/"')
    order_id = header.key["salesorderid"]
    line = endpoint.create(
        "salesorderdetails",
        {
            "salesorderid.salesorderid": order_id,
            "productid.productnumber": "D0001",
            "uomid.name": "Each",
            "quantity": 3,
            "priceperunit": Decimal("10.00"),
            "manualdiscountamount": Decimal("10.00"),
        },
    )
    assert line.fields["salesorderid.salesorderid"] == order_id
    assert line.fields["salesorderid.ordernumber"] == header.fields["ordernumber"]
    assert line.fields["productid.productnumber"] == "D0001"
    assert line.fields["uomid.msdyn_symbol"] == "ea"
    assert line.key == {"salesorderdetailid": line.fields["salesorderdetailid"]}
    found = endpoint.find(
        "salesorderdetails", {"salesorderid.salesorderid": order_id, "sequencenumber": 1}
    )
    assert found is not None
    assert found.key == line.key


def test_endpoint_find_get_and_missing_records(env: Env) -> None:
    endpoint = env.endpoint()
    created = endpoint.create("salesorders", HEADER)
    found = endpoint.find(
        "salesorders", {"customerid.accountnumber": "US-001", "name": "Web order BC-100"}
    )
    assert found is not None
    assert found.key == created.key
    assert found.version == created.version
    assert endpoint.find("salesorders", {"name": "nothing"}) is None
    assert endpoint.get("salesorders", created.key) == created
    missing = {"salesorderid": "6f9619ff-8b86-d011-b42d-00c04fc964ff"}
    assert endpoint.get("salesorders", missing) is None


def test_endpoint_update_is_conditional_on_the_version(env: Env) -> None:
    endpoint = env.endpoint()
    created = endpoint.create("salesorders", HEADER)
    updated = endpoint.update(
        "salesorders", created.key, {"name": "renamed"}, if_version=created.version
    )
    assert updated.fields["name"] == "renamed"
    assert updated.version != created.version
    with pytest.raises(VersionConflict):
        endpoint.update("salesorders", created.key, {"name": "x"}, if_version=created.version)
    cleared = endpoint.update("salesorders", created.key, {"pricelevelid.name": None})
    assert cleared.fields["pricelevelid.name"] is None


def test_endpoint_changed_since_is_oldest_first_and_limited(env: Env) -> None:
    endpoint = env.endpoint()
    first = endpoint.create("salesorders", {**HEADER, "name": "first"})
    endpoint.create("salesorders", {**HEADER, "name": "second"})
    endpoint.update("salesorders", first.key, {"name": "first, changed"})
    changed = endpoint.changed_since("salesorders", None, 10)
    assert [r.fields["name"] for r in changed] == ["second", "first, changed"]
    assert all(r.modified_at is not None for r in changed)
    assert len(endpoint.changed_since("salesorders", None, 1)) == 1
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert endpoint.changed_since("salesorders", later, 10) == []


def test_endpoint_bind_to_a_missing_record_is_permanent(env: Env) -> None:
    with pytest.raises(PermanentProviderFailure, match="does not exist in account"):
        env.endpoint().create("salesorders", {**HEADER, "customerid.accountnumber": "US-404"})
    with pytest.raises(PermanentProviderFailure, match="no lookup"):
        env.endpoint().create("salesorders", {"ownerid.name": "x"})
    with pytest.raises(PermanentProviderFailure, match="no entity"):
        env.endpoint().get("invoices", {"invoiceid": "x"})


def test_integration_updates_an_activated_order_that_users_cannot_edit(env: Env) -> None:
    endpoint = env.endpoint()
    header = endpoint.create("salesorders", HEADER)
    order_id = str(header.key["salesorderid"])
    endpoint.create(
        "salesorderdetails",
        {"salesorderid.salesorderid": order_id, "productid.productnumber": "D0001", "quantity": 1},
    )
    admin = f"{env.url}/_admin/salesorders/{order_id}"
    assert env.http.post(f"{admin}/activate").status_code == 200
    assert env.http.patch(admin, json={"name": "user edit"}).status_code == 400
    confirmed = endpoint.update(
        "salesorders", header.key, {"msdyn_processingstatus": PROCESSING_STATUS["Confirmed"]}
    )
    assert confirmed.fields["msdyn_processingstatus"] == PROCESSING_STATUS["Confirmed"]


def test_activation_with_a_write_in_line_fails_through_the_api_too(env: Env) -> None:
    endpoint = env.endpoint()
    header = endpoint.create("salesorders", HEADER)
    endpoint.create(
        "salesorderdetails",
        {
            "salesorderid.salesorderid": header.key["salesorderid"],
            "isproductoverridden": True,
            "productdescription": "Freight Tax",
            "quantity": 1,
        },
    )
    active = {"msdyn_processingstatus": PROCESSING_STATUS["Active"]}
    with pytest.raises(PermanentProviderFailure, match=r"line 1 \(Freight Tax\) is a write-in"):
        endpoint.update("salesorders", header.key, active)
