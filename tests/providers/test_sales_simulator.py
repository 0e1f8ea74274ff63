"""The Dynamics 365 Sales simulator over loopback: Entra ID, the Web API, Prospect-to-cash rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from simulators.__main__ import SIMULATORS
from simulators.sales import DEFAULT_PRICE_LIST, PROCESSING_STATUS, SalesSimulator
from simulators.server import serve
from tests.support.azurite import free_port

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.crm.dynamics.com"
API = "/api/data/v9.2"
ACCOUNT = "/accounts(accountnumber='US-001')"


@dataclass
class Env:
    sim: SalesSimulator
    http: httpx.Client
    token: str

    def api(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        content = None if body is None else json.dumps(body)
        sent = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return self.http.request(
            method, f"{API}/{path}", content=content, headers={**sent, **headers}
        )

    def create(self, path: str, body: Any) -> dict[str, Any]:
        response = self.api("POST", path, body, Prefer="return=representation")
        assert response.status_code == 201, response.text
        return dict(response.json())

    def admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return self.http.request(method, f"/_admin/{path}", json=body)


def fetch_token(http: httpx.Client, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "scope": f"{ENVIRONMENT}/.default",
        **overrides,
    }
    return http.post(f"/{TENANT}/oauth2/v2.0/token", data=form)


@pytest.fixture
def env() -> Iterator[Env]:
    sim = SalesSimulator(TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT, page_size=50)
    server, thread = serve(sim, free_port())
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=5) as http:
        token = fetch_token(http).json()["access_token"]
        seeded = http.post(
            "/_admin/reference/accounts",
            json={
                "value": [
                    {"accountnumber": "US-001", "name": "Contoso"},
                    {"accountnumber": "US-002", "name": "Fabrikam"},
                ]
            },
        )
        assert seeded.status_code == 201
        http.post("/_admin/reference/products", json={"productnumber": "D0001", "name": "Desk"})
        yield Env(sim, http, token)
    server.shutdown()
    thread.join(timeout=5)


def order(**fields: Any) -> dict[str, Any]:
    return {"name": "Web order", "customerid_account@odata.bind": ACCOUNT, **fields}


def product_line(order_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "salesorderid@odata.bind": f"/salesorders({order_id})",
        "productid@odata.bind": "/products(productnumber='D0001')",
        "uomid@odata.bind": "/uoms(name='Each')",
        "quantity": 3,
        "priceperunit": 10,
        **fields,
    }


# --- Entra ID -----------------------------------------------------------------------------------


def test_token_flow_checks_client_scope_and_bearer(env: Env) -> None:
    assert fetch_token(env.http, client_secret="wrong").status_code == 401
    assert fetch_token(env.http, scope="https://other.crm.dynamics.com/.default").status_code == 400
    assert fetch_token(env.http, grant_type="password").status_code == 400
    env.token = "forged"
    refused = env.api("GET", "salesorders")
    assert refused.status_code == 401
    assert "Bearer" in refused.headers["WWW-Authenticate"]


# --- rows, ETags, conditional writes -------------------------------------------------------------


def test_create_returns_row_with_etag_stamps_and_defaults(env: Env) -> None:
    created = env.create("salesorders", order())
    assert created["@odata.etag"].startswith('W/"')
    assert created["statecode"] == 0
    assert created["statuscode"] == 1
    assert created["msdyn_processingstatus"] == PROCESSING_STATUS["Draft"]
    assert created["createdon"] == created["modifiedon"]
    assert created["modifiedon"].endswith("Z")
    assert created["ordernumber"].startswith("ORD-")
    assert created["_transactioncurrencyid_value"]  # USD by default
    got = env.api("GET", f"salesorders({created['salesorderid']})").json()
    assert got["@odata.etag"] == created["@odata.etag"]


def test_create_without_prefer_answers_204_with_the_entity_id(env: Env) -> None:
    response = env.api("POST", "salesorders", order())
    assert response.status_code == 204
    order_id = response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    assert env.api("GET", f"salesorders({order_id})").status_code == 200


def test_patch_honours_if_match(env: Env) -> None:
    created = env.create("salesorders", order())
    url = f"salesorders({created['salesorderid']})"
    first = env.api(
        "PATCH",
        url,
        {"name": "v2"},
        **{"If-Match": created["@odata.etag"]},
        Prefer="return=representation",
    )
    assert first.status_code == 200
    assert first.json()["name"] == "v2"
    assert first.json()["@odata.etag"] != created["@odata.etag"]
    assert first.json()["modifiedon"] >= created["modifiedon"]
    stale = env.api("PATCH", url, {"name": "v3"}, **{"If-Match": created["@odata.etag"]})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "0x80060882"
    assert env.api("PATCH", url, {"name": "v4"}, **{"If-Match": "*"}).status_code == 204
    assert env.api("GET", url).json()["name"] == "v4"


def test_patch_with_if_match_never_creates_but_without_it_upserts(env: Env) -> None:
    missing = "salesorders(6f9619ff-8b86-d011-b42d-00c04fc964ff)"
    refused = env.api("PATCH", missing, order(), **{"If-Match": "*"})
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "0x80040217"
    assert env.api("PATCH", missing, order()).status_code == 204
    assert env.api("GET", missing).json()["name"] == "Web order"


def test_money_keeps_every_digit(env: Env) -> None:
    created = env.create("salesorders", order())
    raw = (
        '{{"salesorderid@odata.bind": "/salesorders({})", "priceperunit": 3.3333333333333333333,'
        ' "quantity": 3}}'
    ).format(created["salesorderid"])
    response = env.http.post(
        f"{API}/salesorderdetails",
        content=raw,
        headers={"Authorization": f"Bearer {env.token}", "Prefer": "return=representation"},
    )
    assert json.loads(response.text, parse_float=Decimal)["priceperunit"] == Decimal(
        "3.3333333333333333333"
    )


def test_unknown_columns_and_option_values_are_refused(env: Env) -> None:
    fno_name = env.api("POST", "salesorders", order(SalesOrderNumber="SO-1"))
    assert fno_name.status_code == 400
    assert "SalesOrderNumber" in fno_name.json()["error"]["message"]
    out_of_range = env.api("POST", "salesorders", order(msdyn_processingstatus=192350099))
    assert out_of_range.status_code == 400
    assert env.api("POST", "salesorders", order(statecode=0, statuscode=100003)).status_code == 400


# --- queries ------------------------------------------------------------------------------------


def test_filter_select_orderby_top_and_dataverse_literals(env: Env) -> None:
    first = env.create("salesorders", order(name="A", totalamount=10.5))
    env.create(
        "salesorders",
        order(
            name="B",
            totalamount=20,
            **{"customerid_account@odata.bind": "/accounts(accountnumber='US-002')"},
        ),
    )
    by_amount = env.api("GET", "salesorders?$filter=totalamount gt 15&$select=name").json()
    assert [row["name"] for row in by_amount["value"]] == ["B"]
    assert set(by_amount["value"][0]) == {"@odata.etag", "name", "salesorderid"}
    by_guid = env.api(
        "GET", f"salesorders?$filter=_customerid_value eq {first['_customerid_value']}"
    ).json()
    assert [row["name"] for row in by_guid["value"]] == ["A"]
    by_path = env.api("GET", "salesorders?$filter=customerid_account/accountnumber eq 'US-002'")
    assert [row["name"] for row in by_path.json()["value"]] == ["B"]
    since = env.api(
        "GET", f"salesorders?$filter=modifiedon ge {first['modifiedon']}&$orderby=name desc&$top=1"
    ).json()
    assert [row["name"] for row in since["value"]] == ["B"]
    bad = env.api("GET", "salesorders?$filter=name eq")
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("Invalid $filter")


def test_maxpagesize_pages_with_next_link(env: Env) -> None:
    for number in range(5):
        env.create("salesorders", order(name=f"O{number}"))
    names: list[str] = []
    url: str | None = f"{API}/salesorders?$select=name&$orderby=name"
    while url:
        page = env.http.get(
            url, headers={"Authorization": f"Bearer {env.token}", "Prefer": "odata.maxpagesize=2"}
        ).json()
        names += [row["name"] for row in page["value"]]
        url = page.get("@odata.nextLink")
    assert names == ["O0", "O1", "O2", "O3", "O4"]
    get_calls = [c for c in env.sim.calls if c.method == "GET" and c.path.endswith("salesorders")]
    assert len(get_calls) == 3


# --- lookups ------------------------------------------------------------------------------------


def test_lookups_bind_by_alternate_key_and_expand_back(env: Env) -> None:
    created = env.create(
        "salesorders",
        order(
            **{
                "pricelevelid@odata.bind": f"/pricelevels(name='{DEFAULT_PRICE_LIST}')",
                "transactioncurrencyid@odata.bind": "/transactioncurrencies(isocurrencycode='USD')",
            }
        ),
    )
    line = env.create("salesorderdetails", product_line(created["salesorderid"]))
    assert line["_salesorderid_value"] == created["salesorderid"]
    assert line["sequencenumber"] == 1
    assert line["_uomid_value"]
    expanded = env.api(
        "GET",
        f"salesorders({created['salesorderid']})?$expand="
        "customerid_account($select=accountnumber),pricelevelid($select=name)",
    )
    body = expanded.json()
    assert body["customerid_account"]["accountnumber"] == "US-001"
    assert body["pricelevelid"]["name"] == DEFAULT_PRICE_LIST
    units = env.api("GET", "salesorderdetails?$expand=uomid($select=name,msdyn_symbol)").json()
    assert units["value"][0]["uomid"] == {
        "@odata.etag": units["value"][0]["uomid"]["@odata.etag"],
        "uomid": line["_uomid_value"],
        "name": "Each",
        "msdyn_symbol": "ea",
    }


def test_bind_to_a_missing_record_is_a_dataverse_error(env: Env) -> None:
    response = env.api(
        "POST",
        "salesorders",
        order(**{"customerid_account@odata.bind": "/accounts(accountnumber='NO')"}),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "0x80060892"
    assert "does not exist in account" in response.json()["error"]["message"]
    wrong_set = env.api("POST", "salesorders", order(**{"pricelevelid@odata.bind": ACCOUNT}))
    assert wrong_set.status_code == 400
    undeclared = env.api("POST", "salesorders", order(**{"nothing@odata.bind": ACCOUNT}))
    assert undeclared.status_code == 400


def test_line_needs_its_order(env: Env) -> None:
    response = env.api("POST", "salesorderdetails", {"quantity": 1})
    assert response.status_code == 400
    assert "salesorderid" in response.json()["error"]["message"]


# --- Prospect-to-cash ---------------------------------------------------------------------------


def user_order(env: Env, *lines: dict[str, Any]) -> dict[str, Any]:
    response = env.admin("POST", "salesorders", {**order(), "lines": list(lines)})
    assert response.status_code == 201, response.text
    return dict(response.json())


PRODUCT = {"productid@odata.bind": "/products(productnumber='D0001')", "quantity": 1}
WRITE_IN = {"isproductoverridden": True, "productdescription": "Gift wrap", "quantity": 1}


def test_activation_is_refused_while_a_write_in_line_exists(env: Env) -> None:
    created = user_order(env, PRODUCT, WRITE_IN)
    refused = env.admin("POST", f"salesorders/{created['salesorderid']}/activate")
    assert refused.status_code == 400
    assert "line 2 (Gift wrap) is a write-in product" in refused.json()["error"]["message"]
    by_api = env.api(
        "PATCH",
        f"salesorders({created['salesorderid']})",
        {"msdyn_processingstatus": PROCESSING_STATUS["Active"]},
    )
    assert by_api.status_code == 400  # the same rule, whoever activates
    still = env.admin("GET", f"salesorders/{created['salesorderid']}").json()
    assert still["msdyn_processingstatus"] == PROCESSING_STATUS["Draft"]


def test_activated_order_is_read_only_for_users_but_not_for_the_integration(env: Env) -> None:
    created = user_order(env, PRODUCT)
    order_id = created["salesorderid"]
    assert env.admin("PATCH", f"salesorders/{order_id}", {"name": "draft edit"}).status_code == 200
    activated = env.admin("POST", f"salesorders/{order_id}/activate")
    assert activated.status_code == 200
    assert activated.json()["msdyn_processingstatus"] == PROCESSING_STATUS["Active"]
    edit = env.admin("PATCH", f"salesorders/{order_id}", {"name": "too late"})
    assert edit.status_code == 400
    assert "read-only" in edit.json()["error"]["message"]
    assert env.admin("POST", f"salesorders/{order_id}/lines", WRITE_IN).status_code == 400
    again = env.admin("POST", f"salesorders/{order_id}/activate")
    assert again.status_code == 400
    confirmed = env.api(
        "PATCH",
        f"salesorders({order_id})",
        {"msdyn_processingstatus": PROCESSING_STATUS["Confirmed"]},
        **{"If-Match": "*"},
    )
    assert confirmed.status_code == 204
    freight_tax = {**WRITE_IN, "productdescription": "Freight Tax"}
    assert (
        env.api(
            "POST",
            "salesorderdetails",
            {**freight_tax, "salesorderid@odata.bind": f"/salesorders({order_id})"},
        ).status_code
        == 204
    )


def test_processing_status_table_has_the_seed_labels() -> None:
    assert list(PROCESSING_STATUS) == [
        "Draft",
        "Active",
        "Confirmed",
        "Packing Slip",
        "Invoiced",
        "Picked",
        "Partially Picked",
        "Partially Packed",
        "Shipped",
        "Partially Shipped",
        "Partially Invoiced",
        "Cancelled",
    ]
    assert len(set(PROCESSING_STATUS.values())) == 12


# --- service protection and admin ---------------------------------------------------------------


def test_faults_hit_only_matching_requests_with_retry_after(env: Env) -> None:
    plan = {"status": 429, "count": 1, "retryAfter": 2, "match": "salesorderdetails"}
    assert env.admin("POST", "faults", plan).json() == {"queued": 1}
    assert env.api("GET", "salesorders").status_code == 200
    throttled = env.api("GET", "salesorderdetails")
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "2"
    assert throttled.json()["error"]["code"] == "0x80072322"
    assert env.api("GET", "salesorderdetails").status_code == 200
    calls = env.admin("GET", "calls").json()["value"]
    assert [c["status"] for c in calls if c["path"].endswith("salesorderdetails")] == [429, 200]


def test_from_env_and_the_simulator_table() -> None:
    sim = SalesSimulator.from_env(
        {
            "SALES_SIM_TENANT": "fabrikam",
            "SALES_SIM_ENVIRONMENT_URL": "https://fab.crm.dynamics.com",
        }
    )
    assert sim.tenant == "fabrikam"
    assert sim.scope == "https://fab.crm.dynamics.com/.default"
    assert SIMULATORS["sales"].default_port == 7086


def test_a_user_order_with_a_bad_line_is_not_half_written(env: Env) -> None:
    bad_line = {"productid@odata.bind": "/products(productnumber='NOPE')", "quantity": 1}
    response = env.admin("POST", "salesorders", {**order(), "lines": [PRODUCT, bad_line]})
    assert response.status_code == 400
    assert env.api("GET", "salesorders").json()["value"] == []
    assert env.api("GET", "salesorderdetails").json()["value"] == []


def test_the_simulators_processing_status_values_are_the_maps():
    from domain.sync.prospect_to_cash import SALES_PROCESSING_STATUS
    from simulators.sales.options import PROCESSING_STATUS

    assert dict(PROCESSING_STATUS) == SALES_PROCESSING_STATUS
