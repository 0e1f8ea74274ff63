"""`SyncEndpoint.children`: an order's lines, read from Dataverse and from F&O's CDS entities."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from providers.dataverse.auth import dataverse_tokens
from providers.dataverse.client import DataverseClient
from providers.dataverse.endpoint import DataverseSyncEndpoint
from providers.fno.auth import ClientCredentialsTokens
from providers.fno.client import FnoClient
from providers.fno.sync import FnoSyncEndpoint
from services.providers.gateway import PermanentProviderFailure
from simulators.fno import FnoSimulator
from simulators.sales import SalesSimulator
from simulators.server import serve

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
HEADERS, LINES = "CDS sales order headers", "CDS sales order lines"


@pytest.fixture
def sales() -> Iterator[DataverseSyncEndpoint]:
    environment = "https://contoso.crm.dynamics.com"
    sim = SalesSimulator(TENANT, CLIENT_ID, SECRET, environment_url=environment, page_size=2)
    sim.store.add_reference("accounts", {"accountnumber": "US-001"})
    for number in ("D0001", "D0002", "D0003"):
        sim.store.add_reference("products", {"productnumber": number})
    server, thread = serve(sim, 0)
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(timeout=5) as http:
        tokens = dataverse_tokens(
            http, authority=url, tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET,
            environment_url=environment,
        )  # fmt: skip
        yield DataverseSyncEndpoint(DataverseClient(http, url, tokens))
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def fno() -> Iterator[FnoSyncEndpoint]:
    environment = "https://contoso.sandbox.operations.dynamics.com"
    sim = FnoSimulator(TENANT, CLIENT_ID, SECRET, environment_url=environment, page_size=2)
    server, thread = serve(sim, 0)
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(timeout=5) as http:
        tokens = ClientCredentialsTokens(
            http, authority=url, tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET,
            scope=f"{environment}/.default",
        )  # fmt: skip
        yield FnoSyncEndpoint(FnoClient(http, url, tokens))
    server.shutdown()
    thread.join(timeout=5)


def test_dataverse_children_are_the_orders_lines_in_sequence_over_pages(
    sales: DataverseSyncEndpoint,
) -> None:
    order = sales.create("salesorders", {"customerid.accountnumber": "US-001"})
    other = sales.create("salesorders", {"customerid.accountnumber": "US-001"})
    guid = order.key["salesorderid"]
    for sequence, product in ((3, "D0003"), (1, "D0001"), (2, "D0002")):
        sales.create(
            "salesorderdetails",
            {"salesorderid.salesorderid": guid, "productid.productnumber": product,
             "sequencenumber": sequence, "quantity": Decimal(1)},
        )  # fmt: skip
    sales.create(
        "salesorderdetails",
        {"salesorderid.salesorderid": other.key["salesorderid"], "quantity": Decimal(1)},
    )

    lines = sales.children("salesorderdetails", order.key)

    assert [line.fields["productid.productnumber"] for line in lines] == ["D0001", "D0002", "D0003"]
    assert {line.fields["salesorderid.ordernumber"] for line in lines} == {
        order.fields["ordernumber"]
    }
    assert all(set(line.key) == {"salesorderdetailid"} for line in lines)
    assert sales.children("salesorderdetails", other.key)[0].fields["quantity"] == 1


def test_dataverse_children_of_an_entity_without_parent_fail_permanently(
    sales: DataverseSyncEndpoint,
) -> None:
    with pytest.raises(PermanentProviderFailure, match="no parent"):
        sales.children("salesorders", {"salesorderid": "x"})
    with pytest.raises(PermanentProviderFailure, match="needs salesorderid"):
        sales.children("salesorderdetails", {"ordernumber": "ORD-1"})


def test_fno_children_are_the_orders_lines_in_its_company(fno: FnoSyncEndpoint) -> None:
    header = fno.create(HEADERS, {"dataAreaId": "usmf", "OrderingCustomerAccountNumber": "US-001"})
    other = fno.create(HEADERS, {"dataAreaId": "usmf", "OrderingCustomerAccountNumber": "US-001"})
    for parent, sequence in ((header, 2), (header, 1), (other, 1), (header, 3)):
        fno.create(
            LINES,
            {**parent.key, "LineCreationSequenceNumber": sequence, "ProductNumber": "ITEM-1",
             "OrderedSalesQuantity": Decimal(1), "SalesPrice": Decimal(5)},
        )  # fmt: skip

    lines = fno.children(LINES, {"dataAreaId": "USMF", "SalesOrderNumber": "SO-000001"})

    assert [line.key["LineCreationSequenceNumber"] for line in lines] == [1, 2, 3]
    assert {line.key["SalesOrderNumber"] for line in lines} == {header.key["SalesOrderNumber"]}
    with pytest.raises(PermanentProviderFailure, match="no parent"):
        fno.children(HEADERS, {"dataAreaId": "usmf"})
    with pytest.raises(PermanentProviderFailure, match="SalesOrderNumber"):
        fno.children(LINES, {"dataAreaId": "usmf"})
