from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.orders.events import BusinessEvent as E
from domain.orders.model import Address, OrderLine, SalesOrder
from domain.orders.states import TRANSITIONS, EventRule, OrderState, Reason

S = OrderState
R = Reason
AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# The table written out by hand: event -> (header target, line target, rollup), so a typo in
# TRANSITIONS shows up here rather than being checked against itself.
EXPECTED = {
    E.HEADER_VALIDATION_SUCCEEDED: ((S.IN_PROGRESS, R.ORDER_VALIDATION_SUCCESS), None, False),
    E.HEADER_VALIDATION_FAILED: ((S.ON_HOLD, R.ORDER_VALIDATION_FAILED), None, False),
    E.LINES_VALIDATION_SUCCEEDED: (
        (S.IN_PROGRESS, R.LINE_VALIDATION_SUCCESS),
        (S.IN_PROGRESS, R.LINE_VALIDATION_SUCCESS),
        False,
    ),
    E.LINES_VALIDATION_FAILED: (
        (S.ON_HOLD, R.ORDER_VALIDATION_FAILED),
        (S.ON_HOLD, R.LINE_VALIDATION_FAILED),
        False,
    ),
    E.ASSIGNMENT_SUCCEEDED: (
        (S.IN_PROGRESS, R.READY_TO_BE_FULFILLED),
        (S.IN_PROGRESS, R.READY_TO_BE_FULFILLED),
        False,
    ),
    E.ASSIGNMENT_FAILED: ((S.ON_HOLD, R.ASSIGNMENT_FAILED), None, False),
    E.OPTIMIZATION_SUCCEEDED: ((S.IN_PROGRESS, R.FULFILLMENT_DETERMINED), None, False),
    E.ON_HAND_CHECK_SUCCEEDED: (
        (S.FULFILLMENT_IN_PROCESS, R.INVENTORY_CHECK_SUCCESSFUL),
        None,
        False,
    ),
    E.ON_HAND_CHECK_FAILED: ((S.ON_HOLD, R.BACKORDER_HOLD), None, False),
    E.INVENTORY_NOT_FOUND: (
        (S.ON_HOLD, R.INVENTORY_NOT_FOUND),
        (S.ON_HOLD, R.INVENTORY_NOT_FOUND),
        False,
    ),
    E.LINE_BACKORDERED: ((S.ON_HOLD, R.BACKORDER_HOLD), (S.ON_HOLD, R.BACKORDER_HOLD), True),
    E.LINE_PREORDERED: ((S.ON_HOLD, R.PREORDER_HOLD), (S.ON_HOLD, R.PREORDER_HOLD), True),
    E.BACKORDER_RELEASED: (
        (S.IN_PROGRESS, R.BACKORDER_RELEASED),
        (S.IN_PROGRESS, R.BACKORDER_RELEASED),
        False,
    ),
    E.FULFILLMENT_ORDER_CREATED: (
        (S.FULFILLMENT_IN_PROCESS, R.FULFILLMENT_ORDER_CREATED),
        (S.FULFILLMENT_IN_PROCESS, R.FULFILLMENT_ORDER_CREATED),
        True,
    ),
    E.SENT_TO_FULFILLMENT: (
        (S.FULFILLMENT_IN_PROCESS, R.SENT_TO_FULFILLMENT),
        (S.FULFILLMENT_IN_PROCESS, R.SENT_TO_FULFILLMENT),
        True,
    ),
    E.PICKED: ((S.FULFILLMENT_IN_PROCESS, R.PICKED), (S.FULFILLMENT_IN_PROCESS, R.PICKED), True),
    E.PACKED: ((S.FULFILLMENT_IN_PROCESS, R.PACKED), (S.FULFILLMENT_IN_PROCESS, R.PACKED), True),
    E.SHIPPED: ((S.FULFILLMENT_IN_PROCESS, R.PACKED), (S.FULFILLMENT_IN_PROCESS, R.PACKED), True),
    E.INVOICED: ((S.COMPLETED, R.FULFILLED), (S.COMPLETED, R.FULFILLED), True),
    E.ORDER_CANCELED: ((S.CANCELED, R.CANCELED), (S.CANCELED, R.CANCELED), False),
    E.LINE_CANCELED: ((S.CANCELED, R.CANCELED), (S.CANCELED, R.CANCELED), True),
}


def make_order(*line_states: OrderState, header: OrderState = S.NEW) -> SalesOrder:
    lines = [
        OrderLine(line_id=f"{n:04d}", line_number=n, product_id="P-1", quantity=Decimal(1), state=s)
        for n, s in enumerate(line_states or (S.NEW,), start=1)
    ]
    return SalesOrder(
        order_id="o-1", channel="web", external_order_id="ext-1", customer_id="C-1",
        currency="USD", ship_to=Address(country="US"), created_at=AT, updated_at=AT,
        lines=lines, state=header,
    )  # fmt: skip


def allowed(rule: EventRule, entity: str) -> list[OrderState]:
    transition = rule.header if entity == "header" else rule.line
    return [] if transition is None else sorted(transition.sources)


def a_source(rule: EventRule, entity: str) -> OrderState:
    # Any allowed source of the other entity, so the transition under test is the only variable.
    return allowed(rule, entity)[0] if allowed(rule, entity) else S.NEW


HEADER_CASES = [(e, s) for e, rule in TRANSITIONS.items() for s in allowed(rule, "header")]
LINE_CASES = [(e, s) for e, rule in TRANSITIONS.items() for s in allowed(rule, "line")]
LINE_EVENTS = [e for e, rule in TRANSITIONS.items() if rule.line is not None]


def test_the_table_matches_the_documented_transitions():
    actual = {
        event: (
            rule.header and (rule.header.target, rule.header.reason),
            rule.line and (rule.line.target, rule.line.reason),
            rule.rollup,
        )
        for event, rule in TRANSITIONS.items()
    }
    assert actual == EXPECTED


@pytest.mark.parametrize(("event", "source"), HEADER_CASES)
def test_each_allowed_header_source_reaches_the_target(event, source):
    rule = TRANSITIONS[event]
    order = make_order(a_source(rule, "line"), header=source)
    outcome = order.raise_event(event, AT)
    assert outcome.errors == []
    assert (order.state, order.reason) == EXPECTED[event][0]


@pytest.mark.parametrize(("event", "source"), LINE_CASES)
def test_each_allowed_line_source_reaches_the_target(event, source):
    rule = TRANSITIONS[event]
    order = make_order(source, header=a_source(rule, "header"))
    outcome = order.raise_event(event, AT)
    assert outcome.errors == []
    assert (order.lines[0].state, order.lines[0].reason) == EXPECTED[event][1]


@pytest.mark.parametrize("event", list(TRANSITIONS))
def test_a_disallowed_header_source_is_an_error_and_changes_nothing(event):
    rule = TRANSITIONS[event]
    # No header transition allows Completed; the line is in an allowed state so rollup is due.
    order = make_order(a_source(rule, "line"), header=S.COMPLETED)
    outcome = order.raise_event(event, AT)
    assert (order.state, order.reason) == (S.COMPLETED, R.NEW)
    assert [e.entity for e in outcome.errors] == ["order"]
    assert outcome.errors[0].state == S.COMPLETED
    assert order.raised[-1].errors == [outcome.errors[0].message]


@pytest.mark.parametrize("event", LINE_EVENTS)
def test_a_disallowed_line_source_is_an_error_and_changes_nothing(event):
    order = make_order(S.COMPLETED, header=a_source(TRANSITIONS[event], "header"))
    outcome = order.raise_event(event, AT)
    assert (order.lines[0].state, order.lines[0].reason) == (S.COMPLETED, R.NEW)
    assert "0001" in [e.entity for e in outcome.errors]
    assert outcome.errors[0].message in order.raised[-1].errors


def test_the_error_message_names_the_event_the_entity_and_the_allowed_states():
    order = make_order(header=S.COMPLETED)
    # Events arrive as text from flow definitions and provider messages.
    outcome = order.raise_event("Validation of Order Header has Succeeded", AT)
    message = outcome.errors[0].message
    event = "'Validation of Order Header has Succeeded'"
    assert f"{event} cannot move order from 'Completed'" in message
    assert "allowed from: In Progress, New, On Hold" in message
    assert order.raised[-1].event == "Validation of Order Header has Succeeded"
    assert order.raised[-1].changes == []


@pytest.mark.parametrize("event", [E.NEW_ORDER, E.OPTIMIZATION_FAILED, "Not An Event", ""])
def test_an_event_without_an_entry_changes_nothing_and_is_no_error(event):
    order = make_order(S.IN_PROGRESS, header=S.IN_PROGRESS)
    outcome = order.raise_event(event, AT)
    assert (outcome.changes, outcome.errors) == ([], [])
    assert (order.state, order.lines[0].state) == (S.IN_PROGRESS, S.IN_PROGRESS)
    assert (order.raised[-1].event, order.raised[-1].errors) == (event, [])
    assert order.event_count == 1


def test_rollup_moves_the_header_only_when_every_line_is_picked():
    order = make_order(S.IN_PROGRESS, S.IN_PROGRESS, header=S.FULFILLMENT_IN_PROCESS)
    order.reason = R.SENT_TO_FULFILLMENT
    first = order.raise_event(E.PICKED, AT, line_ids=["0001"])
    assert [c.entity for c in first.changes] == ["0001"]
    assert (order.state, order.reason) == (S.FULFILLMENT_IN_PROCESS, R.SENT_TO_FULFILLMENT)
    second = order.raise_event(E.PICKED, AT, line_ids=["0002"])
    assert [c.entity for c in second.changes] == ["0002", "order"]
    assert (order.state, order.reason) == (S.FULFILLMENT_IN_PROCESS, R.PICKED)
    assert order.raised[-1].line_ids == ["0002"]


def test_rollup_ignores_canceled_lines():
    order = make_order(S.IN_PROGRESS, S.CANCELED, S.IN_PROGRESS, header=S.IN_PROGRESS)
    order.raise_event(E.PICKED, AT, line_ids=["0001", "0003"])
    assert (order.state, order.reason) == (S.FULFILLMENT_IN_PROCESS, R.PICKED)
    assert order.lines[1].state == S.CANCELED


def test_canceling_every_line_one_by_one_cancels_the_order():
    order = make_order(S.IN_PROGRESS, S.IN_PROGRESS, header=S.IN_PROGRESS)
    order.raise_event(E.LINE_CANCELED, AT, line_ids=["0001"])
    assert order.state == S.IN_PROGRESS
    order.raise_event(E.LINE_CANCELED, AT, line_ids=["0002"])
    assert (order.state, order.reason) == (S.CANCELED, R.CANCELED)


def test_a_repeated_event_records_no_change():
    order = make_order(S.NEW)
    order.raise_event(E.LINES_VALIDATION_SUCCEEDED, AT)
    again = order.raise_event(E.LINES_VALIDATION_SUCCEEDED, AT)
    assert (again.changes, again.errors) == ([], [])
    assert (order.raised[-1].changes, order.raised[-1].errors) == ([], [])
    assert [e.sequence for e in order.raised] == [1, 2]
    assert (order.state, order.reason) == (S.IN_PROGRESS, R.LINE_VALIDATION_SUCCESS)


def test_a_change_is_recorded_with_from_and_to():
    order = make_order(S.NEW)
    order.raise_event(E.HEADER_VALIDATION_SUCCEEDED, AT, details="ok", source="flow")
    raised = order.raised[-1]
    assert raised.changes == [
        {"entity": "order", "from": "New / New", "to": "In Progress / Order Validation Success"}
    ]
    assert (raised.details, raised.source, order.updated_at) == ("ok", "flow", AT)
