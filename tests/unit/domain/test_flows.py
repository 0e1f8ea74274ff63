from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidDefinition, NotPermitted
from domain.flows.actions import failure_events, is_internal, output_events
from domain.flows.lifecycle import create_flow, edit_flow, publish_flow, stop_flow
from domain.flows.model import ActionType, Flow, FlowDefinition, Step
from domain.flows.routing import Route, route_event, starts_with, waiting_steps
from domain.flows.validation import referenced_policies, validate_flow
from domain.orders.events import BusinessEvent as E
from domain.policies.model import PublishStatus

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
A = ActionType


def step(step_id, action=None, inputs=(), kind="Action", **extra):
    wire = {"stepId": step_id, "name": step_id.title(), "kind": kind, "inputEvents": list(inputs)}
    if action is not None:
        wire["action"] = action
    return wire | extra


def branch(name, target):
    return {"name": name, "stepId": target}


def base_wire():
    """Header -> lines -> assign -> Condition (send | notify) -> Splitter (bill us | eu) -> wait."""
    return {
        "name": "Standard orders",
        "steps": [
            step("validate-header", A.VALIDATE_HEADER, [E.NEW_ORDER]),
            step("validate-lines", A.VALIDATE_LINES, [E.HEADER_VALIDATION_SUCCEEDED]),
            step(
                "assign",
                A.ASSIGN_BY_POLICY,
                [E.LINES_VALIDATION_SUCCEEDED],
                filterPolicies=["pol-a"],
            ),
            step(
                "check",
                kind="Condition",
                inputs=[E.ASSIGNMENT_SUCCEEDED, E.ASSIGNMENT_FAILED],
                branches=[branch("yes", "send"), branch("no", "notify")],
            ),
            step("send", A.SEND_TO_FULFILLMENT),
            step("notify", A.CUSTOM, provider="email", providerAction="notify"),
            step(
                "split",
                kind="Splitter",
                inputs=[E.SENT_TO_FULFILLMENT],
                branches=[branch("us", "bill-us"), branch("eu", "bill-eu")],
            ),
            step("bill-us", A.SEND_LINES_TO_BILLING, filterPolicies=["us-only"]),
            step("bill-eu", A.SEND_LINES_TO_BILLING, executionPolicies=["eu-tax"]),
            step("wait", A.WAIT_FOR_EVENT, [E.SENT_TO_BILLING], waitFor=E.SHIPPED),
        ],
    }


def defn_of(wire):
    return FlowDefinition.model_validate(wire)


def flow_of(wire):
    return create_flow(defn_of(wire), "flow-1", T0)


def problem_fields(wire):
    with pytest.raises(InvalidDefinition) as caught:
        validate_flow(defn_of(wire))
    return {p.field for p in caught.value.problems}


def mutated(change):
    wire = base_wire()
    change(wire["steps"])
    return wire


# --- validation -------------------------------------------------------------------------------


def _set(i, **fields):
    return lambda steps: steps[i].update(fields)


def _add_branch(i, name, target):
    return lambda steps: steps[i]["branches"].append(branch(name, target))


def _drop_branch(i, k):
    return lambda steps: steps[i]["branches"].pop(k)


def _set_branch(i, k, **fields):
    return lambda steps: steps[i]["branches"][k].update(fields)


def _add_step(wire_step):
    return lambda steps: steps.append(wire_step)


INVALID = {
    "duplicate step id": (_set(1, stepId="validate-header"), {"steps.1.stepId"}),
    "action step without action": (_set(0, action=None), {"steps.0.action"}),
    "action step with branches": (
        _set(0, branches=[branch("x", "send")]),
        {"steps.0.branches"},
    ),
    "condition branch names": (_set_branch(3, 1, name="otherwise"), {"steps.3.branches"}),
    "condition with one branch": (
        _drop_branch(3, 1),
        {"steps.3.branches", "steps.5.inputEvents"},
    ),
    "condition with a third branch": (
        _add_branch(3, "maybe", "bill-us"),
        {"steps.3.branches", "steps.6.branches.0.stepId"},
    ),
    "condition with an action": (_set(3, action=A.CUSTOM), {"steps.3.action"}),
    "condition with a filter policy": (
        _set(3, filterPolicies=["pol-a"]),
        {"steps.3.filterPolicies"},
    ),
    "control step with output events": (
        _set(6, successEvent="Split"),
        {"steps.6.successEvent"},
    ),
    "splitter with one branch": (
        _drop_branch(6, 1),
        {"steps.6.branches", "steps.8.inputEvents"},
    ),
    "splitter branch names differ only in case": (
        _set_branch(6, 1, name="US"),
        {"steps.6.branches.1.name"},
    ),
    "branch to a missing step": (
        _set_branch(3, 0, stepId="ghost"),
        {"steps.3.branches.0.stepId", "steps.4.inputEvents"},
    ),
    "branch to a control step": (
        _set_branch(3, 0, stepId="split"),
        {"steps.3.branches.0.stepId", "steps.4.inputEvents"},
    ),
    "branch to its own step": (
        _set_branch(6, 0, stepId="split"),
        {"steps.6.branches.0.stepId", "steps.7.inputEvents"},
    ),
    "branches merge": (
        _set_branch(6, 1, stepId="bill-us"),
        {"steps.6.branches.1.stepId", "steps.8.inputEvents"},
    ),
    "step without input events": (_set(1, inputEvents=[]), {"steps.1.inputEvents"}),
    "custom without provider": (
        _set(5, provider=None, providerAction=None),
        {"steps.5.provider", "steps.5.providerAction"},
    ),
    "wait without event": (_set(9, waitFor=None), {"steps.9.waitFor"}),
    "built-in success event is read-only": (
        _set(0, successEvent="Header OK"),
        {"steps.0.successEvent"},
    ),
    "built-in failure event is read-only": (
        _set(9, failureEvent="Gave up"),
        {"steps.9.failureEvent"},
    ),
    "no step hears New Order": (_set(0, inputEvents=[E.ORDER_CANCELED]), {"steps"}),
    "loop through a branch": (
        _set(5, successEvent=E.ASSIGNMENT_SUCCEEDED),
        {"steps.3.branches.1.stepId"},
    ),
}


@pytest.mark.parametrize(("change", "fields"), INVALID.values(), ids=INVALID.keys())
def test_each_rule_names_the_offending_field(change, fields):
    assert problem_fields(mutated(change)) == fields


VALID = {
    "base flow": lambda steps: None,
    "condition branch names ignore case": lambda steps: (
        _set_branch(3, 0, name="Yes")(steps),
        _set_branch(3, 1, name="NO")(steps),
    ),
    "branch target may also listen to events": _set(4, inputEvents=[E.BACKORDER_RELEASED]),
    "custom sets its own events": _set(5, successEvent="Mailed", failureEvent="Bounced"),
    "event-only loops are allowed": _add_step(
        step("retry", A.CUSTOM, [E.PROVIDER_ACTION_FAILED], provider="p", providerAction="again")
    ),
    "other entry events beside New Order": _set(
        1, inputEvents=[E.HEADER_VALIDATION_SUCCEEDED, "X"]
    ),
}


@pytest.mark.parametrize("change", VALID.values(), ids=VALID.keys())
def test_valid_definitions_pass(change):
    validate_flow(defn_of(mutated(change)))


def test_every_problem_is_reported_at_once():
    def change(steps):
        _set(0, action=None)(steps)
        _set(5, provider=None)(steps)
        _set(1, inputEvents=[])(steps)

    assert problem_fields(mutated(change)) == {
        "steps.0.action",
        "steps.5.provider",
        "steps.1.inputEvents",
    }


def test_problems_carry_readable_messages():
    with pytest.raises(InvalidDefinition) as caught:
        validate_flow(defn_of(mutated(_set_branch(3, 0, stepId="ghost"))))
    messages = {p.field: p.message for p in caught.value.problems}
    assert messages["steps.3.branches.0.stepId"] == "no step 'ghost' in the flow"


def test_referenced_policies_collects_filter_and_execution_policies():
    assert referenced_policies(defn_of(base_wire())) == {"pol-a", "us-only", "eu-tax"}


# --- lifecycle --------------------------------------------------------------------------------

POLICIES = {"pol-a", "us-only", "eu-tax"}


def test_create_makes_an_unpublished_draft_at_version_zero():
    flow = flow_of(base_wire())
    assert (flow.flow_id, flow.status, flow.version) == ("flow-1", PublishStatus.UNPUBLISHED, 0)
    assert flow.created_at == flow.updated_at == T0
    assert flow.published_at is None


def test_create_does_not_validate_drafts():
    assert flow_of(mutated(_set(0, action=None))).steps[0].action is None


def test_edit_replaces_the_definition_of_a_draft():
    later = T0 + timedelta(hours=1)
    flow = edit_flow(flow_of(base_wire()), defn_of(base_wire() | {"name": "Renamed"}), later)
    assert (flow.name, flow.updated_at, flow.created_at) == ("Renamed", later, T0)


def test_publish_validates_and_increments_the_version():
    later = T0 + timedelta(minutes=5)
    flow = publish_flow(flow_of(base_wire()), later, POLICIES)
    assert (flow.status, flow.version, flow.published_at) == (PublishStatus.PUBLISHED, 1, later)


def test_edit_of_a_published_flow_is_refused():
    flow = publish_flow(flow_of(base_wire()), T0, POLICIES)
    with pytest.raises(NotPermitted) as caught:
        edit_flow(flow, defn_of(base_wire()), T0)
    assert caught.value.field == "status"
    assert str(caught.value) == (
        "flow 'Standard orders' is published and read-only; stop it, edit, then publish again"
    )


def test_stop_edit_republish_makes_the_next_version():
    flow = publish_flow(flow_of(base_wire()), T0, POLICIES)
    stopped = stop_flow(flow, T0)
    assert (stopped.status, stopped.version) == (PublishStatus.UNPUBLISHED, 1)
    edited = edit_flow(stopped, defn_of(base_wire() | {"description": "v2"}), T0)
    republished = publish_flow(edited, T0, POLICIES)
    assert (republished.version, republished.description) == (2, "v2")


def test_stop_of_an_unpublished_flow_is_refused():
    with pytest.raises(NotPermitted):
        stop_flow(flow_of(base_wire()), T0)


def test_publish_of_a_published_flow_is_refused():
    with pytest.raises(NotPermitted):
        publish_flow(publish_flow(flow_of(base_wire()), T0, POLICIES), T0, POLICIES)


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ("pol-a", "steps.2.filterPolicies.0"),
        ("us-only", "steps.7.filterPolicies.0"),
        ("eu-tax", "steps.8.executionPolicies.0"),
    ],
)
def test_publish_with_an_unpublished_policy_names_its_path(missing, field):
    with pytest.raises(InvalidDefinition) as caught:
        publish_flow(flow_of(base_wire()), T0, POLICIES - {missing})
    assert [p.field for p in caught.value.problems] == [field]
    assert missing in caught.value.problems[0].message


def test_publish_reports_rule_and_policy_problems_together():
    with pytest.raises(InvalidDefinition) as caught:
        publish_flow(flow_of(mutated(_set(9, waitFor=None))), T0, set())
    fields = {p.field for p in caught.value.problems}
    assert {"steps.9.waitFor", "steps.2.filterPolicies.0"} <= fields


# --- routing ----------------------------------------------------------------------------------


def passing(*failing_policies):
    def passes(step: Step) -> bool:
        return not set(step.filter_policies) & set(failing_policies)

    return passes


def routed(flow: Flow, event, passes=None):
    result = route_event(flow, event, passes or passing())
    return [(r.step.step_id, r.via, r.branch) for r in result.routes]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (E.NEW_ORDER, [("validate-header", None, None)]),
        (E.HEADER_VALIDATION_SUCCEEDED, [("validate-lines", None, None)]),
        (E.LINES_VALIDATION_SUCCEEDED, [("assign", None, None)]),
        (E.ASSIGNMENT_SUCCEEDED, [("send", "check", "yes")]),
        (E.ASSIGNMENT_FAILED, [("notify", "check", "no")]),
        (E.SENT_TO_BILLING, [("wait", None, None)]),
        ("Something nobody listens to", []),
        (E.HEADER_VALIDATION_FAILED, []),
    ],
)
def test_events_route_along_the_chain(event, expected):
    assert routed(flow_of(base_wire()), event) == expected


def test_condition_treats_a_custom_failure_event_as_failure():
    def change(steps):
        _set(5, inputEvents=[E.NEW_ORDER], failureEvent="Credit rejected")(steps)
        _set(3, inputEvents=["Credit rejected"])(steps)

    flow = flow_of(mutated(change))
    assert routed(flow, "Credit rejected") == [("notify", "check", "no")]


@pytest.mark.parametrize(
    ("failing", "expected", "skipped"),
    [
        ((), [("bill-us", "split", "us")], []),
        (("us-only",), [("bill-eu", "split", "eu")], ["bill-us"]),
    ],
)
def test_splitter_takes_the_first_branch_whose_target_passes(failing, expected, skipped):
    result = route_event(flow_of(base_wire()), E.SENT_TO_FULFILLMENT, passing(*failing))
    assert [(r.step.step_id, r.via, r.branch) for r in result.routes] == expected
    assert [s.step_id for s in result.filtered_out] == skipped


def test_splitter_with_no_passing_branch_routes_nothing():
    wire = mutated(_set(8, filterPolicies=["eu-only"]))
    result = route_event(flow_of(wire), E.SENT_TO_FULFILLMENT, passing("us-only", "eu-only"))
    assert result.routes == []
    assert [s.step_id for s in result.filtered_out] == ["bill-us", "bill-eu"]


def test_splitter_does_not_evaluate_branches_after_the_one_taken():
    seen: list[str] = []

    def passes(s: Step) -> bool:
        seen.append(s.step_id)
        return True

    route_event(flow_of(base_wire()), E.SENT_TO_FULFILLMENT, passes)
    assert seen == ["bill-us"]


@pytest.mark.parametrize(
    ("event", "skipped"),
    [(E.LINES_VALIDATION_SUCCEEDED, "assign"), (E.SENT_TO_FULFILLMENT, "bill-us")],
)
def test_filtered_out_steps_are_reported(event, skipped):
    result = route_event(flow_of(base_wire()), event, passing("pol-a", "us-only"))
    assert skipped in [s.step_id for s in result.filtered_out]
    assert skipped not in [r.step.step_id for r in result.routes]


def test_condition_target_whose_filters_fail_is_filtered_out():
    wire = mutated(_set(4, filterPolicies=["big-orders"]))
    result = route_event(flow_of(wire), E.ASSIGNMENT_SUCCEEDED, passing("big-orders"))
    assert (result.routes, [s.step_id for s in result.filtered_out]) == ([], ["send"])


def test_two_steps_listening_to_one_event_both_route():
    wire = mutated(
        _add_step(step("audit", A.CUSTOM, [E.NEW_ORDER], provider="p", providerAction="a"))
    )
    assert routed(flow_of(wire), E.NEW_ORDER) == [
        ("validate-header", None, None),
        ("audit", None, None),
    ]


def test_a_step_reached_directly_and_by_branch_routes_once_with_one_filter_check():
    calls: list[str] = []

    def passes(s: Step) -> bool:
        calls.append(s.step_id)
        return True

    flow = flow_of(mutated(_set(4, inputEvents=[E.ASSIGNMENT_SUCCEEDED])))
    result = route_event(flow, E.ASSIGNMENT_SUCCEEDED, passes)
    assert result.routes == [Route(flow.steps[4], via="check", branch="yes")]
    assert calls == ["send"]


def test_starts_with_looks_at_input_events_only():
    flow = flow_of(base_wire())
    assert starts_with(flow, E.NEW_ORDER)
    assert starts_with(flow, E.SENT_TO_FULFILLMENT)
    assert not starts_with(flow, E.SHIPPED)


def test_waiting_steps_match_the_awaited_event():
    flow = flow_of(base_wire())
    assert [s.step_id for s in waiting_steps(flow, E.SHIPPED)] == ["wait"]
    assert waiting_steps(flow, E.PICKED) == []


# --- actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "success", "failure", "internal"),
    [
        (A.VALIDATE_HEADER, E.HEADER_VALIDATION_SUCCEEDED, E.HEADER_VALIDATION_FAILED, True),
        (A.VALIDATE_LINES, E.LINES_VALIDATION_SUCCEEDED, E.LINES_VALIDATION_FAILED, True),
        (A.ASSIGN_BY_POLICY, E.ASSIGNMENT_SUCCEEDED, E.ASSIGNMENT_FAILED, True),
        (A.SEND_TO_OPTIMIZATION, E.OPTIMIZATION_SUCCEEDED, E.OPTIMIZATION_FAILED, True),
        (
            A.SEND_FULFILLMENT_PROCESS_REQUEST,
            E.PROCESS_REQUEST_SUCCEEDED,
            E.PROCESS_REQUEST_FAILED,
            True,
        ),
        (A.SEND_TO_FULFILLMENT, E.SENT_TO_FULFILLMENT, E.SEND_TO_FULFILLMENT_FAILED, False),
        (A.SEND_LINES_TO_BILLING, E.SENT_TO_BILLING, E.SEND_TO_BILLING_FAILED, False),
        (A.SEND_TO_INVOICE, E.BILLING_CONFIRMED, E.SEND_TO_INVOICE_FAILED, False),
        (A.CUSTOM, E.PROVIDER_ACTION_SUCCEEDED, E.PROVIDER_ACTION_FAILED, False),
        (A.WAIT_FOR_EVENT, E.EVENT_RECEIVED, None, True),
    ],
)
def test_default_output_events_and_where_actions_run(action, success, failure, internal):
    assert output_events(Step.model_validate(step("s", action))) == (success, failure)
    assert is_internal(action) is internal


def test_custom_actions_name_their_own_events():
    custom = Step.model_validate(step("s", A.CUSTOM, successEvent="Mailed", failureEvent="Bounced"))
    assert output_events(custom) == ("Mailed", "Bounced")


def test_control_steps_have_no_output_events():
    with pytest.raises(ValueError, match="no action"):
        output_events(Step.model_validate(step("c", kind="Condition")))


def test_failure_events_cover_step_failures_and_known_failures():
    flow = flow_of(mutated(_set(5, failureEvent="Bounced")))
    failures = failure_events(flow)
    assert {"Bounced", E.ON_HAND_CHECK_FAILED, E.INVENTORY_NOT_FOUND} <= failures
    assert {E.FULFILLMENT_ORDER_FAILED, E.OPTIMIZATION_FAILED, E.PROVIDER_ACTION_FAILED} <= failures
    assert not {E.ORDER_CANCELED, E.ASSIGNMENT_SUCCEEDED, E.EVENT_RECEIVED, "Mailed"} & failures
