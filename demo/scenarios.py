"""The six seed scenarios (seed 002), each driven over HTTP from its source system to the end."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from demo.journey import (
    Journey,
    flexe_ids,
    flexe_ship,
    fno_number,
    fno_post,
    journey_of,
    order,
    step_details,
    wait_bigcommerce,
    wait_event,
    wait_for,
    wait_reason,
)
from demo.world import COMPANY, DOM_SOURCE, FNO_CUSTOMER, FNO_ITEM, HubError, World, ok

ADDRESS = {"first_name": "Jane", "last_name": "Doe", "street_1": "555 East Street",
           "city": "Austin", "state": "Texas", "zip": "78108", "country_iso2": "US",
           "email": "janedoe@email.com"}  # fmt: skip
COMPLETED = ("Completed", "Fulfilled")


def _tag() -> str:
    return uuid.uuid4().hex[:8].upper()


def _bigcommerce_order(world: World, source: str, products: list[dict[str, Any]]) -> int:
    """Create the order in BigCommerce, fire its webhook; the BigCommerce order id."""
    created = ok(world.http.post(f"{world.urls.bigcommerce}/_admin/orders", json={
        "customer_id": 11, "currency_code": "USD", "billing_address": ADDRESS,
        "order_source": source, "products": products,
    }))  # fmt: skip
    emit = {"scope": "store/order/created", "orderId": created["id"]}
    ok(world.http.post(f"{world.urls.bigcommerce}/_admin/webhooks/emit", json=emit))
    return int(created["id"])


def _product(sku: str, quantity: int = 2, product_id: int = 71) -> dict[str, Any]:
    return {"sku": sku, "name": f"Item {sku}", "quantity": quantity, "price_ex_tax": "10.5",
            "price_inc_tax": "11.34", "product_id": product_id}  # fmt: skip


def _hub_order(world: World, channel: str, external_id: str) -> str:
    """Wait for the hub's order of the channel's external id; its order id."""

    def found() -> str | None:
        params = {"channel": channel, "limit": "200"}
        orders = ok(world.api.get("/orders", params=params))["orders"]
        ids = [o["orderId"] for o in orders if o.get("externalOrderId") == external_id]
        return ids[0] if ids else None

    order_id: str = wait_for(f"the hub's {channel} order {external_id}", found)
    return order_id


def _fno_order(world: World, origin: str) -> str:
    """Create and confirm an order in F&O, let the hub pull it; the hub's order id."""
    created = ok(world.http.post(f"{world.urls.fno}/_admin/orders", json={
        "dataAreaId": COMPANY, "OrderingCustomerAccountNumber": FNO_CUSTOMER,
        "SalesOrderOriginCode": origin, "CurrencyCode": "USD",
        "DeliveryAddressName": "Jane Doe", "DeliveryAddressStreet": "555 East Street",
        "DeliveryAddressCity": "Austin", "DeliveryAddressStateId": "TX",
        "DeliveryAddressZipCode": "78108", "DeliveryAddressCountryRegionISOCode": "US",
        "lines": [{"ItemNumber": FNO_ITEM, "OrderedSalesQuantity": 2, "SalesPrice": 10.5}],
    }))  # fmt: skip
    number = created["SalesOrderNumber"]
    fno_post(world, number, "confirm", must_apply=False)  # the hub does not know it yet
    world.run_function("pull_fno_orders")
    return _hub_order(world, "fno", f"{COMPANY}/{number}")


def _invoice_in_fno(world: World, order_id: str, number: str) -> None:
    """Confirm and invoice the F&O order; wait for Order Invoiced on the hub's order."""
    fno_post(world, number, "confirm")
    fno_post(world, number, "invoice")
    wait_event(world, order_id, "Order Invoiced")


def _finish(world: World, journey: Journey) -> Journey:
    journey_of(world, journey.order_id, journey)
    return journey


def bigcommerce_fno_fno(world: World, journey: Journey) -> Journey:
    """1. BigCommerce > hub > F&O fulfilment > F&O accounting."""
    bc_id = _bigcommerce_order(world, "fno-fulfilment", [_product(f"SKU-{_tag()}")])
    journey.order_id = order_id = _hub_order(world, "bigcommerce", str(bc_id))
    number = fno_number(step_details(world, order_id, "send")[-1])
    fno_post(world, number, "confirm")
    fno_post(world, number, "pick")
    wait_reason(world, order_id, "Fulfillment in Process", "Picked")
    fno_post(world, number, "pack")
    wait_reason(world, order_id, "Fulfillment in Process", "Packed")
    wait_bigcommerce(world, bc_id, 2, journey)
    # BigCommerce shows Shipped during the step's call; the hub records the step just after.
    wait_event(world, order_id, "Provider Action has Succeeded")
    fno_post(world, number, "invoice")
    wait_reason(world, order_id, *COMPLETED)
    wait_bigcommerce(world, bc_id, 10, journey)
    return _finish(world, journey)


def bigcommerce_flexe_fno(world: World, journey: Journey) -> Journey:
    """2. BigCommerce > hub > Flexe fulfilment > F&O accounting."""
    bc_id = _bigcommerce_order(world, "flexe-fulfilment", [_product(f"SKU-{_tag()}")])
    journey.order_id = order_id = _hub_order(world, "bigcommerce", str(bc_id))
    flexe_ship(world, order_id, flexe_ids(step_details(world, order_id, "flexe")[-1]))
    wait_bigcommerce(world, bc_id, 2, journey)
    number = fno_number(step_details(world, order_id, "billing")[-1])
    _invoice_in_fno(world, order_id, number)
    wait_reason(world, order_id, *COMPLETED)
    wait_bigcommerce(world, bc_id, 10, journey)
    return _finish(world, journey)


def fno_flexe_fno(world: World, journey: Journey) -> Journey:
    """3. F&O order > hub > Flexe fulfilment > F&O accounting."""
    journey.order_id = order_id = _fno_order(world, "flexe-fno")
    flexe_ship(world, order_id, flexe_ids(step_details(world, order_id, "flexe")[-1]))
    number = fno_number(step_details(world, order_id, "billing")[-1])
    _invoice_in_fno(world, order_id, number)
    wait_reason(world, order_id, *COMPLETED)
    journey.source_statuses.append(_fno_status(world, number))
    return _finish(world, journey)


def fno_fno_fno(world: World, journey: Journey) -> Journey:
    """4. F&O order > hub > F&O fulfilment and accounting."""
    journey.order_id = order_id = _fno_order(world, "fno")
    number = order(world, order_id)["externalOrderId"].split("/", 1)[1]
    wait_reason(world, order_id, "In Progress", "Order Line Validation Success")
    fno_post(world, number, "pack")
    wait_event(world, order_id, "Order Packed")
    fno_post(world, number, "invoice")
    wait_reason(world, order_id, *COMPLETED)
    journey.source_statuses.append(_fno_status(world, number))
    return _finish(world, journey)


def fno_flexe_sap(world: World, journey: Journey) -> Journey:
    """5. F&O order > hub > Flexe fulfilment > SAP accounting."""
    journey.order_id = order_id = _fno_order(world, "flexe-sap")
    flexe_ship(world, order_id, flexe_ids(step_details(world, order_id, "flexe")[-1]))
    sales_order = step_details(world, order_id, "invoice")[-1].split()[3]
    ok(world.http.post(f"{world.urls.sap}/_admin/sales-orders/{sales_order}/bill", json={}))
    world.run_function("poll_sap_invoices")
    wait_reason(world, order_id, *COMPLETED)
    journey.source_statuses.append(f"SAP sales order {sales_order} billed")
    return _finish(world, journey)


def bigcommerce_dom_fno(world: World, journey: Journey) -> Journey:
    """6. BigCommerce > hub with DOM (a backorder released by stock) > F&O."""
    tag = _tag()
    stocked, short = f"DOM-{tag}-A", f"DOM-{tag}-B"
    ok(world.api.put(f"/inventory/{DOM_SOURCE}/{stocked}", json={"onHand": "10"}))
    products = [_product(stocked, 2, 81), _product(short, 1, 82)]
    bc_id = _bigcommerce_order(world, "dom", products)
    journey.order_id = order_id = _hub_order(world, "bigcommerce", str(bc_id))
    first = fno_number(step_details(world, order_id, "billing")[-1])
    held = wait_for("a line on Backorder Hold", lambda: _line_reasons(world, order_id))
    if "Backorder Hold" not in held:
        raise HubError(f"no line of order {order_id} was backordered: {held}")
    ok(world.api.put(f"/inventory/{DOM_SOURCE}/{short}", json={"onHand": "5"}))
    run = ok(world.api.post("/jobs/backorder-release/run"))
    if run["status"] != "Succeeded":
        raise HubError(f"the backorder release job failed: {run['details']}")
    wait_event(world, order_id, "Backorder Released")
    numbers = {first, fno_number(step_details(world, order_id, "billing-released")[-1])}
    for number in sorted(numbers):
        fno_post(world, number, "confirm")
        fno_post(world, number, "pick")
    wait_reason(world, order_id, "Fulfillment in Process", "Picked")
    for number in sorted(numbers):
        fno_post(world, number, "pack")
    wait_reason(world, order_id, "Fulfillment in Process", "Packed")
    wait_bigcommerce(world, bc_id, 2, journey)
    for number in sorted(numbers):
        fno_post(world, number, "invoice")
    wait_reason(world, order_id, *COMPLETED)
    wait_bigcommerce(world, bc_id, 10, journey)
    return _finish(world, journey)


def _line_reasons(world: World, order_id: str) -> list[str]:
    reasons = [line["reason"] for line in order(world, order_id)["lines"]]
    return reasons if "Backorder Hold" in reasons else []


def _fno_status(world: World, number: str) -> str:
    calls = ok(world.http.get(f"{world.urls.fno}/_admin/events"))["value"]
    mine = [e for e in calls if e["salesOrderNumber"] == number]
    return f"F&O {COMPANY}/{number}: {mine[-1]['salesOrderProcessingStatus']}" if mine else "?"


SCENARIOS: dict[str, Callable[[World, Journey], Journey]] = {
    "1. BigCommerce > F&O fulfilment > F&O accounting": bigcommerce_fno_fno,
    "2. BigCommerce > Flexe > F&O accounting": bigcommerce_flexe_fno,
    "3. F&O > Flexe > F&O accounting": fno_flexe_fno,
    "4. F&O > F&O fulfilment and accounting": fno_fno_fno,
    "5. F&O > Flexe > SAP accounting": fno_flexe_sap,
    "6. BigCommerce > DOM with backorder > F&O": bigcommerce_dom_fno,
}


def run(world: World, name: str) -> Journey:
    """Run one scenario; a failure is kept on the journey with what happened so far."""
    journey = Journey(name)
    try:
        return SCENARIOS[name](world, journey)
    except HubError as err:
        journey.error = str(err)
        if journey.order_id:
            journey_of(world, journey.order_id, journey)
        return journey
