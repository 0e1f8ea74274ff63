"""The orchestration engine end to end in process: intake, policies, flows, steps, reprocess."""

from __future__ import annotations

from typing import Any

import pytest

from domain.orders.model import SalesOrder, StepStatus
from services.errors import InvalidInput, NotAllowed
from services.orders import operations
from services.orders.commands import CancelOrder, PlaceOrder
from services.orders.intake import place_order
from services.orders.ports import ErrorKind
from services.orders.steps import run_step
from tests.support.hub import Hub, make_hub

CHANNEL = "shop-1"


def order_body(external_id: str = "1001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": CHANNEL,
        "externalOrderId": external_id,
        "customerId": "CUST-1",
        "currency": "USD",
        "shipTo": {"name": "Ada", "line1": "1 Main St", "city": "Seattle", "country": "US"},
        "lines": [
            {"productId": "P-100", "quantity": "120", "unitPrice": "2.50"},
            {"productId": "P-200", "quantity": "3", "unitPrice": "19.99"},
        ],
    }
    body.update(overrides)
    return body


def place(hub: Hub, **overrides: Any) -> str:
    return place_order(PlaceOrder.model_validate(order_body(**overrides)), hub.engine).order_id


def order(hub: Hub, order_id: str) -> SalesOrder:
    return operations.get_order(hub.engine, order_id)


def channel_filter(hub: Hub, channel: str = CHANNEL) -> str:
    return hub.policy(
        name=f"Only {channel}", type="Filter", entity="Order",
        rules=[{"name": "channel", "condition": f"channel eq '{channel}'"}],
    )  # fmt: skip


def seed_assignment(hub: Hub) -> list[str]:
    """The seed's example: Company and Invoice Customer on the header; Company, Site, Warehouse."""
    header = hub.policy(
        name="Assign company and invoice customer", type="Execution", entity="Order",
        criticality="Critical",
        rules=[{
            "name": "US orders", "condition": "shipTo/country eq 'US'",
            "actions": [{"field": "company", "value": "USMF"},
                        {"field": "invoiceCustomerId", "value": "US-001"}],
        }],
    )  # fmt: skip
    lines = hub.policy(
        name="Assign site and warehouse", type="Execution", entity="Order product",
        criticality="Critical",
        rules=[
            {"name": "bulk", "condition": "quantity ge 100", "actions": [
                {"field": "company", "value": "USMF"}, {"field": "shippingSite", "value": "2"},
                {"field": "shippingWarehouse", "value": "24"}]},
            {"name": "small", "condition": "quantity lt 100", "actions": [
                {"field": "company", "value": "USMF"}, {"field": "shippingSite", "value": "1"},
                {"field": "shippingWarehouse", "value": "11"}]},
        ],
    )  # fmt: skip
    return [header, lines]


def line_minimum(hub: Hub, criticality: str) -> str:
    return hub.policy(
        name=f"Quantity at least 5 ({criticality})", type="Execution", entity="Order product",
        criticality=criticality, rules=[{"name": "min qty", "condition": "quantity ge 5"}],
    )  # fmt: skip


def standard_flow(hub: Hub, *, line_policies: list[str], name: str = "Standard") -> str:
    country = hub.policy(
        name=f"US only {name}", type="Execution", entity="Order", criticality="Critical",
        rules=[{"name": "US", "condition": "shipTo/country eq 'US'"}],
    )  # fmt: skip
    return hub.flow(
        name,
        [
            {"stepId": "validate-header", "name": "Validate header",
             "action": "Validate Order Header", "inputEvents": ["New Order"],
             "filterPolicies": [channel_filter(hub)], "executionPolicies": [country]},
            {"stepId": "validate-lines", "name": "Validate lines", "action": "Validate Order Lines",
             "inputEvents": ["Validation of Order Header has Succeeded"],
             "executionPolicies": line_policies},
            {"stepId": "assign", "name": "Assign", "action": "Assign by Policy",
             "inputEvents": ["Validation of Order Lines has Succeeded"],
             "executionPolicies": seed_assignment(hub)},
        ],
    )  # fmt: skip


def statuses(o: SalesOrder) -> dict[str, str]:
    return {r.step_id: r.status.value for r in o.step_results}


def test_an_order_runs_through_validation_and_assignment_by_policy():
    hub = make_hub()
    standard_flow(hub, line_policies=[])
    order_id = place(hub)

    runs = hub.drain()

    o = order(hub, order_id)
    assert [r.status for r in runs] == [StepStatus.SUCCEEDED] * 3
    assert (o.state, o.reason) == ("In Progress", "Ready to be Fulfilled")
    assert (o.company, o.invoice_customer_id, o.ready_to_sync) == ("USMF", "US-001", True)
    assert [(li.shipping_site, li.shipping_warehouse) for li in o.lines] == [
        ("2", "24"),
        ("1", "11"),
    ]
    assert all(li.ready_to_sync and li.reason == "Ready to be Fulfilled" for li in o.lines)
    events = [e.event for e in hub.engine.orders.timeline(order_id)]
    assert events == [
        "New Order", "Validation of Order Header has Succeeded",
        "Validation of Order Lines has Succeeded", "Assignment by Policy has Succeeded",
    ]  # fmt: skip


def test_a_repeated_order_is_taken_once_and_starts_one_run():
    hub = make_hub()
    standard_flow(hub, line_policies=[])
    first = place_order(PlaceOrder.model_validate(order_body()), hub.engine)
    again = place_order(PlaceOrder.model_validate(order_body()), hub.engine)

    assert (first.created, again.created, again.order_id) == (True, False, first.order_id)
    assert len(hub.pending_steps()) == 1


def test_a_duplicate_step_message_does_nothing():
    hub = make_hub()
    standard_flow(hub, line_policies=[])
    order_id = place(hub)
    message = hub.pending_steps()[0]
    hub.drain()
    before = order(hub, order_id)

    assert not run_step(message, hub.engine).ran
    assert order(hub, order_id).step_results == before.step_results


def test_a_failing_critical_line_policy_stops_the_flow_with_a_reason_per_line():
    hub = make_hub()
    standard_flow(hub, line_policies=[line_minimum(hub, "Critical")])
    order_id = place(hub)

    hub.drain()

    o = order(hub, order_id)
    assert (o.state, o.reason) == ("On Hold", "Order Validation Failed")
    assert statuses(o) == {"validate-header": "Succeeded", "validate-lines": "Failed"}
    bad, good = o.line("0002"), o.line("0001")
    assert (bad.state, bad.reason) == ("On Hold", "Order Line Validation Failed")
    assert "Quantity at least 5" in bad.findings[0].message
    assert bad.findings[0].critical
    assert (good.state, good.reason, good.findings) == ("New", "New", [])
    kinds = {e.kind for e in hub.engine.errors.list(None, order_id, None, 50).errors}
    assert kinds == {ErrorKind.POLICY, ErrorKind.ORCHESTRATION_STEP}


def test_a_failing_information_policy_is_recorded_and_the_flow_goes_on():
    hub = make_hub()
    standard_flow(hub, line_policies=[line_minimum(hub, "Information")])
    order_id = place(hub)

    hub.drain()

    o = order(hub, order_id)
    assert o.reason == "Ready to be Fulfilled"
    assert set(statuses(o).values()) == {"Succeeded"}
    assert not o.line("0002").findings[0].critical


def test_a_header_validation_failure_holds_the_order():
    hub = make_hub()
    standard_flow(hub, line_policies=[])
    order_id = place(hub, shipTo={"country": "CA"})

    hub.drain()

    o = order(hub, order_id)
    assert (o.state, o.reason) == ("On Hold", "Order Validation Failed")
    assert statuses(o) == {"validate-header": "Failed"}
    assert "US only" in o.findings[0].message


def test_reprocess_restarts_from_the_failed_step_once_the_policy_is_fixed():
    hub = make_hub()
    minimum = line_minimum(hub, "Critical")
    standard_flow(hub, line_policies=[minimum])
    order_id = place(hub)
    hub.drain()
    config = hub.configuration
    config.unpublish_policy(minimum)
    definition = config.policy(minimum).model_copy(
        update={
            "rules": [
                config.policy(minimum).rules[0].model_copy(update={"condition": "quantity ge 1"})
            ]
        }
    )
    config.edit_policy(minimum, definition)
    config.publish_policy(minimum)

    result = operations.reprocess(hub.engine, order_id)
    hub.drain()

    o = order(hub, order_id)
    assert result.steps == ["Validate lines"]
    assert o.reason == "Ready to be Fulfilled"
    attempts = [
        (r.step_id, r.attempt, r.status.value)
        for r in o.step_results
        if r.step_id == "validate-lines"
    ]
    assert attempts[-1] == ("validate-lines", 2, "Succeeded")
    assert o.line("0002").findings == []
    with pytest.raises(NotAllowed):
        operations.reprocess(hub.engine, order_id)


def test_filter_policies_keep_flows_apart():
    hub = make_hub()
    standard_flow(hub, line_policies=[], name="Shop 1 flow")
    other = channel_filter(hub, "shop-2")
    hub.flow("Shop 2 flow", [
        {"stepId": "validate", "name": "Validate", "action": "Validate Order Header",
         "inputEvents": ["New Order"], "filterPolicies": [other]},
    ])  # fmt: skip

    first = order(hub, place(hub))
    second = order(hub, place(hub, channel="shop-2", externalOrderId="2001"))

    assert [b.flow_name for b in first.flows] == ["Shop 1 flow"]
    assert [b.flow_name for b in second.flows] == ["Shop 2 flow"]


def test_a_condition_takes_its_no_branch_when_the_previous_step_failed():
    hub = make_hub()
    country = hub.policy(
        name="US only", type="Execution", entity="Order", criticality="Critical",
        rules=[{"name": "US", "condition": "shipTo/country eq 'US'"}],
    )  # fmt: skip
    hub.flow("Branching", [
        {"stepId": "validate", "name": "Validate", "action": "Validate Order Header",
         "inputEvents": ["New Order"], "executionPolicies": [country]},
        {"stepId": "check", "name": "Valid?", "kind": "Condition",
         "inputEvents": ["Validation of Order Header has Succeeded",
                         "Validation of Order Header has Failed"],
         "branches": [{"name": "yes", "stepId": "lines"}, {"name": "no", "stepId": "fix"}]},
        {"stepId": "lines", "name": "Validate lines", "action": "Validate Order Lines"},
        {"stepId": "fix", "name": "Notify", "action": "Custom", "provider": "mailer",
         "providerAction": "Send email"},
    ])  # fmt: skip
    order_id = place(hub, shipTo={"country": "CA"})

    hub.drain()

    o = order(hub, order_id)
    assert statuses(o) == {"validate": "Failed", "fix": "Failed"}
    errors = hub.engine.errors.list(ErrorKind.PROVIDER_ACTION, order_id, None, 10).errors
    assert "no provider 'mailer' in the catalog" in errors[0].message


def test_a_wait_step_completes_when_its_event_is_raised():
    hub = make_hub()
    hub.flow("Waiting", [
        {"stepId": "validate", "name": "Validate", "action": "Validate Order Header",
         "inputEvents": ["New Order"]},
        {"stepId": "wait", "name": "Wait for pick", "action": "Wait for Event",
         "inputEvents": ["Validation of Order Header has Succeeded"], "waitFor": "Order Picked"},
    ])  # fmt: skip
    order_id = place(hub)
    hub.drain()
    assert statuses(order(hub, order_id))["wait"] == "Waiting"

    operations.raise_event(hub.engine, order_id, "Order Picked", None, "test")

    o = order(hub, order_id)
    assert statuses(o)["wait"] == "Succeeded"
    assert [e.event for e in hub.engine.orders.timeline(order_id)][-2:] == [
        "Order Picked",
        "Awaited Event Received",
    ]


def test_cancel_refuses_lines_in_fulfillment_and_says_why():
    hub = make_hub()
    order_id = place(hub)
    operations.raise_event(
        hub.engine, order_id, "Validation of Order Lines has Succeeded", None, "t"
    )
    operations.raise_event(hub.engine, order_id, "Order Picked", ["0001"], "test")

    with pytest.raises(NotAllowed, match="line 0001 is Fulfillment in Process / Picked"):
        operations.cancel(hub.engine, order_id, CancelOrder())
    canceled = operations.cancel(hub.engine, order_id, CancelOrder(line_ids=["0002"]))

    assert (canceled.line("0002").state, canceled.line("0002").quantity_canceled) == ("Canceled", 3)
    assert canceled.line("0001").state == "Fulfillment in Process"
    with pytest.raises(InvalidInput, match="no line 0009"):
        operations.cancel(hub.engine, order_id, CancelOrder(line_ids=["0009"]))


def test_canceling_an_open_order_cancels_every_line_once():
    hub = make_hub()
    order_id = place(hub)

    first = operations.cancel(hub.engine, order_id, CancelOrder(reason="customer asked"))
    again = operations.cancel(hub.engine, order_id, CancelOrder())

    assert (first.state, first.reason) == ("Canceled", "Canceled")
    assert {li.state for li in again.lines} == {"Canceled"}
    assert [e.event for e in hub.engine.orders.timeline(order_id)].count("Order Canceled") == 1


def test_a_poisoned_step_is_marked_failed_and_can_be_reprocessed():
    hub = make_hub()
    standard_flow(hub, line_policies=[])
    order_id = place(hub)
    message = hub.pending_steps()[0]

    operations.fail_poisoned_step(hub.engine, message)

    o = order(hub, order_id)
    assert statuses(o) == {"validate-header": "Failed"}
    assert operations.reprocess(hub.engine, order_id).steps == ["Validate header"]
