"""Line discounts between the hub (per line) and F&O (per unit, remainder in the sales charges).

Each case sends a hub order through the gateway to the F&O simulator and takes it back as the
F&O order intake does: the line's net amount and the order total survive the round trip.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from pydantic import ValidationError

from domain.orders.model import Address, OrderLine, SalesOrder
from domain.orders.totals import calculate_totals
from providers.fno.auth import ClientCredentialsTokens
from providers.fno.client import FnoClient
from providers.fno.gateway import SEND_TO_FULFILLMENT, FnoGateway
from providers.fno.mapping import line_body, place_order
from providers.fno.schemas import SalesOrderHeader, SalesOrderLine
from services.orders.commands import money_problem
from services.orders.intake import new_order
from simulators.fno import FnoSimulator
from simulators.server import serve

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.sandbox.operations.dynamics.com"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
D = Decimal


@dataclass
class Env:
    sim: FnoSimulator
    client: FnoClient
    gateway: FnoGateway

    def round_trip(self, sent: SalesOrder) -> tuple[dict[str, object], SalesOrder]:
        """Send `sent` to F&O; its F&O line row and the hub order F&O intake makes of it."""
        self.gateway.perform(SEND_TO_FULFILLMENT, sent, "k1", {})
        [row] = self.sim.store.lines.values()
        header = self.client.get_order("usmf", "SO-000001")
        assert header is not None
        command = place_order(header, self.client.order_lines("usmf", "SO-000001"))
        assert money_problem(command) is None  # the hub's intake takes it as it is
        return dict(row), new_order(command, "fno-order", NOW)


@pytest.fixture
def env() -> Iterator[Env]:
    sim = FnoSimulator(TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT)
    server, thread = serve(sim, 0)
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(timeout=5) as http:
        tokens = ClientCredentialsTokens(
            http, authority=url, tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET,
            scope=f"{ENVIRONMENT}/.default",
        )  # fmt: skip
        client = FnoClient(http, url, tokens)
        yield Env(sim, client, FnoGateway(client))
    server.shutdown()
    thread.join(timeout=5)


def line(quantity: str, price: str, discount: str, charges: str = "0") -> OrderLine:
    return OrderLine(
        line_id="0001", line_number=1, product_id="ITEM-1", quantity=D(quantity),
        unit_price=D(price), discount=D(discount), charges=D(charges), company="usmf",
        shipping_site="SITE-1", shipping_warehouse="WH-11",
    )  # fmt: skip


def order(the_line: OrderLine, currency: str = "USD") -> SalesOrder:
    return SalesOrder(
        order_id="3f1c2d9e-0000-4000-8000-000000000001", channel="bigcommerce",
        external_order_id="BC-100", order_number="BC-100", customer_id="US-001",
        company="usmf", currency=currency, ship_to=Address(name="Ada", country="US"),
        created_at=NOW, updated_at=NOW, lines=[the_line],
    )  # fmt: skip


def net(the_line: OrderLine) -> Decimal:
    """What the line costs before tax: quantity x price less the discount, plus its charges."""
    return the_line.amount + the_line.charges


# (case, currency, (quantity, price, discount, own charges), F&O per unit, F&O FixedPriceCharges)
CASES = [
    ("seed example", "USD", ("3", "10.00", "10.00"), "3.33", "-0.01"),
    ("divides evenly", "USD", ("4", "5.00", "2.00"), "0.5", None),
    ("divides evenly into cents", "USD", ("2", "19.99", "1.50"), "0.75", None),
    ("remainder of two cents", "USD", ("7", "3.00", "1.00"), "0.14", "-0.02"),
    ("remainder charged, not given", "USD", ("3", "10.00", "0.02"), "0.01", "0.01"),
    ("one unit", "USD", ("1", "10.00", "3.33"), "3.33", None),
    ("no discount", "USD", ("2", "19.99", "0"), "0", None),
    ("whole line discounted", "USD", ("3", "3.34", "10.02"), "3.34", None),
    ("own charges beside the remainder", "USD", ("3", "10.00", "10.00", "2.50"), "3.33", "2.49"),
    ("own charges cancel the remainder", "USD", ("3", "10.00", "10.00", "0.01"), "3.33", "0"),
    ("no minor unit", "JPY", ("3", "1000", "1000"), "333", "-1"),
]


@pytest.mark.parametrize(
    ("currency", "amounts", "per_unit", "charges"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_round_trip_through_fno_keeps_the_line_net_amount_and_the_order_total(
    env: Env,
    currency: str,
    amounts: tuple[str, ...],
    per_unit: str,
    charges: str | None,
) -> None:
    sent = order(line(*amounts), currency)
    row, back = env.round_trip(sent)

    assert D(str(row["LineDiscountAmount"])) == D(per_unit)
    fixed = row.get("FixedPriceCharges")
    assert (None if fixed is None else D(str(fixed))) == (None if charges is None else D(charges))
    [header] = env.sim.store.headers.values()
    assert D(str(header["OrderTotalAmount"])) == calculate_totals(sent, NOW).total
    [came_back] = back.lines
    assert net(came_back) == net(sent.lines[0])
    assert calculate_totals(back, NOW).total == calculate_totals(sent, NOW).total


def test_the_seed_example_comes_back_as_f_and_o_keeps_it(env: Env) -> None:
    sent = order(line("3", "10.00", "10.00"))
    _, back = env.round_trip(sent)

    [came_back] = back.lines
    # The hub keeps F&O's split (3 x 3.33 and a -0.01 charge), not 10.00 and no charge: F&O's
    # FixedPriceCharges also holds real charges, so intake cannot tell a remainder apart.
    assert (came_back.discount, came_back.charges) == (D("9.99"), D("-0.01"))
    assert came_back.discount - came_back.charges == D("10.00")  # the discount net of the charge
    assert net(came_back) == net(sent.lines[0]) == D("20.00")
    totals = calculate_totals(back, NOW)
    assert (totals.discount, totals.charges, totals.total) == (D("9.99"), D("-0.01"), D("20.00"))


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (("3", "10", "10"), {"LineDiscountAmount": 3.33, "FixedPriceCharges": -0.01}),
        (("2", "10", "3"), {"LineDiscountAmount": 1.5}),
        (("2", "10", "0"), {"LineDiscountAmount": 0}),
        (("2", "10", "0", "4"), {"LineDiscountAmount": 0, "FixedPriceCharges": 4}),
        (("3", "10", "10", "0.01"), {"LineDiscountAmount": 3.33, "FixedPriceCharges": 0}),
    ],
)
def test_the_line_body_carries_the_discount_per_unit_and_charges_only_when_there_are_any(
    amounts: tuple[str, ...], expected: dict[str, object]
) -> None:
    body = line_body(line(*amounts), "USD", "usmf", "SO-000001")
    discounts = {k: v for k, v in body.items() if k in ("LineDiscountAmount", "FixedPriceCharges")}
    assert discounts == expected


def test_the_discount_is_split_in_the_order_currency() -> None:
    body = line_body(line("3", "1000", "1000"), "JPY", "usmf", "SO-000001")
    assert (body["LineDiscountAmount"], body["FixedPriceCharges"]) == (333, -1)


def fno_line(**amounts: object) -> SalesOrderLine:
    row = {"dataAreaId": "usmf", "InventoryLotId": "USMF-1", "SalesOrderNumber": "SO-000001",
           "ItemNumber": "ITEM-1", "SalesPrice": 10, **amounts}  # fmt: skip
    return SalesOrderLine.model_validate(row)


def fno_header(currency: str | None = "USD") -> SalesOrderHeader:
    row = {"dataAreaId": "usmf", "SalesOrderNumber": "SO-000001", "CurrencyCode": currency,
           "OrderingCustomerAccountNumber": "US-001",
           "DeliveryAddressCountryRegionISOCode": "US"}  # fmt: skip
    return SalesOrderHeader.model_validate(row)


@pytest.mark.parametrize(
    ("amounts", "discount", "charges"),
    [
        ({"OrderedSalesQuantity": 3, "LineDiscountAmount": 3.33}, D("9.99"), D(0)),
        (
            {"OrderedSalesQuantity": 3, "LineDiscountAmount": 3.33, "FixedPriceCharges": -0.01},
            D("9.99"),
            D("-0.01"),
        ),
        ({"OrderedSalesQuantity": "1.5", "LineDiscountAmount": 0.33}, D("0.50"), D(0)),  # 0.495
        ({"OrderedSalesQuantity": 2}, D(0), D(0)),
    ],
)
def test_intake_takes_the_unit_discount_times_the_quantity_rounded_once(
    amounts: dict[str, object], discount: Decimal, charges: Decimal
) -> None:
    [taken] = place_order(fno_header(), [fno_line(**amounts)]).lines
    assert (taken.discount, taken.charges) == (discount, charges)


def test_an_fno_order_without_a_currency_is_refused_by_validation_not_by_rounding() -> None:
    line_with_discount = fno_line(OrderedSalesQuantity=3, LineDiscountAmount=3.33)
    with pytest.raises(ValidationError, match="currency"):
        place_order(fno_header(None), [line_with_discount])
