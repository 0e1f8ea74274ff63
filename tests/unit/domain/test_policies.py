from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import InvalidDefinition, NotPermitted
from domain.orders.model import (
    Address,
    FulfillmentOrder,
    FulfillmentOrderLine,
    OrderLine,
    SalesOrder,
)
from domain.orders.states import OrderState
from domain.policies.evaluation import evaluate_policy, filter_passes, findings
from domain.policies.fields import assign, check_set_value, settable_fields
from domain.policies.lifecycle import (
    create_policy,
    edit_policy,
    publish_policy,
    rollback_policy,
    unpublish_policy,
    validate_definition,
)
from domain.policies.model import (
    AssociatedEntity,
    Criticality,
    PolicyDefinition,
    PolicyType,
    PublishStatus,
    Rule,
    SetValue,
    VersionState,
)

ORDER = AssociatedEntity.ORDER
LINE = AssociatedEntity.ORDER_LINE
FO = AssociatedEntity.FULFILLMENT_ORDER
FO_LINE = AssociatedEntity.FULFILLMENT_ORDER_LINE
AT = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def make_order(*quantities: int, **changes) -> SalesOrder:
    lines = [
        OrderLine(line_id=f"{n:04d}", line_number=n, product_id="D0001", quantity=Decimal(q))
        for n, q in enumerate(quantities or (1,), start=1)
    ]
    fields = {
        "order_id": "o-1", "channel": "web", "external_order_id": "ext-1",
        "customer_id": "US-001", "currency": "USD", "ship_to": Address(country="US"),
        "created_at": AT, "updated_at": AT, "lines": lines,
    }  # fmt: skip
    return SalesOrder(**{**fields, **changes})


def rule(name: str, condition: str, **actions: object) -> Rule:
    return Rule(
        name=name,
        condition=condition,
        actions=[SetValue(field=f, value=v) for f, v in actions.items()],
    )


def definition(entity, *rules: Rule, **changes) -> PolicyDefinition:
    fields = {
        "name": "Quantity at least 5", "type": PolicyType.EXECUTION,
        "criticality": Criticality.CRITICAL, "entity": entity, "rules": list(rules),
    }  # fmt: skip
    return PolicyDefinition(**{**fields, **changes})


def policy(entity, *rules: Rule, **changes):
    return create_policy(definition(entity, *rules, **changes), "p-1", AT)


def run(policy_version, order: SalesOrder, apply: bool = False):
    return evaluate_policy(policy_version, order, apply_actions=apply)


MIN_QTY = rule("min qty", "quantity ge 5")
LAB_RULES = (
    rule("large", "quantity ge 100", fulfillmentSource="DC-EAST"),
    rule("small", "quantity lt 100", fulfillmentSource="STORE-12"),
)


# --- evaluation -----------------------------------------------------------------------------


def test_a_single_rule_passes_and_fails_per_line_with_a_readable_message():
    evaluation = run(policy(LINE, MIN_QTY), make_order(5, 2))
    assert [(r.record_id, r.passed, r.matched_rules) for r in evaluation.records] == [
        ("0001", True, ["min qty"]),
        ("0002", False, []),
    ]
    assert not evaluation.passed
    assert evaluation.any_passed
    assert [r.record_id for r in evaluation.failed_records] == ["0002"]
    assert evaluation.failed_records[0].message == (
        "Policy 'Quantity at least 5' (Critical): no rule holds for line 0002 "
        "(rules: 'min qty': quantity ge 5)"
    )
    assert (evaluation.policy_id, evaluation.version, evaluation.critical) == ("p-1", 1, True)


def test_the_lab_two_rules_each_assign_their_own_value():
    order = make_order(150, 20)
    evaluation = run(policy(LINE, *LAB_RULES), order, apply=True)
    assert evaluation.passed
    assert [r.matched_rules for r in evaluation.records] == [["large"], ["small"]]
    assert [r.assigned for r in evaluation.records] == [
        {"fulfillmentSource": "DC-EAST"},
        {"fulfillmentSource": "STORE-12"},
    ]
    assert [line.fulfillment_source for line in order.lines] == ["DC-EAST", "STORE-12"]


def test_without_apply_actions_values_are_reported_but_not_written():
    order = make_order(150)
    evaluation = run(policy(LINE, *LAB_RULES), order)
    assert evaluation.records[0].assigned == {"fulfillmentSource": "DC-EAST"}
    assert order.lines[0].fulfillment_source is None


def test_every_holding_rule_applies_in_order_so_the_last_value_wins():
    rules = (rule("any", "quantity gt 0", company="A"), rule("big", "quantity gt 10", company="B"))
    order = make_order(50)
    evaluation = run(policy(LINE, *rules), order, apply=True)
    assert evaluation.records[0].matched_rules == ["any", "big"]
    assert order.lines[0].company == "B"


def test_the_seed_assignment_example_sets_header_and_lines():
    order = make_order(1, 2)
    header = policy(ORDER, rule("h", "company eq null", _msdyn_company_value="USMF",
                                msdyn_invoicecustomerid="US-001"))  # fmt: skip
    lines = policy(LINE, rule("l", "quantity gt 0", company="USMF", msdyn_shippingsite="1",
                              shippingWarehouse="11"))  # fmt: skip
    header_eval = run(header, order, apply=True)
    run(lines, order, apply=True)
    assert header_eval.records[0].assigned == {"company": "USMF", "invoiceCustomerId": "US-001"}
    assert (order.company, order.invoice_customer_id) == ("USMF", "US-001")
    assigned = {(li.company, li.shipping_site, li.shipping_warehouse) for li in order.lines}
    assert assigned == {("USMF", "1", "11")}


def test_a_policy_does_not_see_its_own_assignments_but_the_next_one_does():
    order = make_order(1)
    rules = (
        rule("assign", "company eq null", company="USMF"),
        rule("assigned", "company eq 'USMF'", readyToSync=True),
    )
    first = run(policy(ORDER, *rules), order, apply=True)
    assert first.records[0].matched_rules == ["assign"]
    assert order.ready_to_sync is False
    second = run(policy(ORDER, *rules), order, apply=True)
    assert second.records[0].matched_rules == ["assigned"]
    assert order.ready_to_sync is True


@pytest.mark.parametrize(
    ("criticality", "critical"), [(Criticality.INFORMATION, False), (Criticality.CRITICAL, True)]
)
def test_the_criticality_is_carried_into_findings(criticality, critical):
    evaluation = run(policy(LINE, MIN_QTY, criticality=criticality), make_order(1, 9))
    found = findings(evaluation)
    assert list(found) == ["0001"]
    assert (found["0001"].critical, found["0001"].policy_id) == (critical, "p-1")
    assert f"({criticality.value}): no rule holds for line 0001" in found["0001"].message


def test_canceled_lines_are_not_evaluated():
    order = make_order(1, 9)
    order.lines[0].state = OrderState.CANCELED
    evaluation = run(policy(LINE, MIN_QTY), order)
    assert [r.record_id for r in evaluation.records] == ["0002"]
    assert evaluation.passed


def test_a_header_failure_is_keyed_by_order():
    evaluation = run(policy(ORDER, rule("eur", "currency eq 'EUR'")), make_order())
    assert list(findings(evaluation)) == ["order"]
    assert "no rule holds for the order" in findings(evaluation)["order"].message


def with_fulfillment(order: SalesOrder) -> SalesOrder:
    fo_lines = [
        FulfillmentOrderLine(line_id=line.line_id, quantity=line.quantity) for line in order.lines
    ]
    order.fulfillment_orders = [
        FulfillmentOrder(fulfillment_order_id="fo-1", source_id="WH", lines=fo_lines)
    ]
    return order


def test_fulfillment_order_records_and_their_ids():
    order = with_fulfillment(make_order(1, 7))
    fo_policy = policy(FO, rule("wh", "shippingWarehouse eq null", shippingWarehouse="11"))
    fo_eval = run(fo_policy, order, apply=True)
    assert [r.record_id for r in fo_eval.records] == ["fo-1"]
    assert order.fulfillment_orders[0].shipping_warehouse == "11"
    condition = "quantity ge 5 and fulfillmentorder/shippingWarehouse eq '11'"
    line_eval = run(policy(FO_LINE, rule("q", condition)), order)
    assert [(r.record_id, r.passed) for r in line_eval.records] == [
        ("fo-1/0001", False),
        ("fo-1/0002", True),
    ]


def test_a_policy_without_records_passes_but_does_not_filter_in():
    fo_filter = policy(FO, rule("any", "sourceId ne null"), type=PolicyType.FILTER)
    evaluation = run(fo_filter, make_order())
    assert (evaluation.records, evaluation.passed, evaluation.any_passed) == ([], True, False)
    assert not filter_passes(fo_filter, make_order())


@pytest.mark.parametrize(("quantities", "expected"), [((1, 9), True), ((1, 2), False)])
def test_a_line_filter_passes_when_some_line_matches(quantities, expected):
    line_filter = policy(LINE, MIN_QTY, type=PolicyType.FILTER)
    assert filter_passes(line_filter, make_order(*quantities)) is expected


def test_a_filter_reads_the_order_from_a_line():
    line_filter = policy(
        LINE, rule("us", "order/shipTo/country eq 'US' and quantity ge 5"), type=PolicyType.FILTER
    )
    assert filter_passes(line_filter, make_order(7))
    assert not filter_passes(line_filter, make_order(7, ship_to=Address(country="DE")))


# --- settable fields --------------------------------------------------------------------------


def test_settable_fields_per_entity():
    assert settable_fields(ORDER) == [
        "company", "invoiceCustomerId", "fulfillmentStrategy", "salesOrigin", "readyToSync",
        "requestedDeliveryDate",
    ]  # fmt: skip
    assert settable_fields(LINE) == [
        "company", "shippingSite", "shippingWarehouse", "fulfillmentSource", "unitPrice",
        "discount", "readyToSync",
    ]  # fmt: skip
    assert settable_fields(FO) == ["shippingWarehouse"]
    assert settable_fields(FO_LINE) == []


@pytest.mark.parametrize(
    ("entity", "field", "value", "problem"),
    [
        (ORDER, "company", "USMF", None),
        (ORDER, "_msdyn_company_value", "USMF", None),
        (ORDER, "MSDYN_INVOICECUSTOMERID", "US-001", None),
        (ORDER, "company", None, None),
        (ORDER, "company", 5, "expected non-empty text"),
        (ORDER, "company", "  ", "expected non-empty text"),
        (ORDER, "readyToSync", "yes", "expected true or false"),
        (ORDER, "requestdeliveryby", "2024-06-01", None),
        (ORDER, "requestedDeliveryDate", "June 1st", "expected a date as YYYY-MM-DD"),
        (ORDER, "shippingSite", "1", "cannot be set on Order records"),
        (LINE, "priceperunit", Decimal("9.99"), None),
        (LINE, "unitPrice", "12.5", None),
        (LINE, "unitPrice", -1, "expected a non-negative number"),
        (LINE, "unitPrice", True, "expected a non-negative number"),
        (LINE, "discount", "NaN", "expected a non-negative number"),
        (LINE, "msdyn_isreadytosync", True, None),
        (FO, "msdyn_shippingwarehouse", "11", None),
        (FO_LINE, "quantity", 1, "(settable: none)"),
    ],
)
def test_check_set_value(entity, field, value, problem):
    reason = check_set_value(entity, SetValue(field=field, value=value))
    if problem is None:
        assert reason is None
    else:
        assert problem in reason


@pytest.mark.parametrize(
    ("field", "value", "attribute", "expected"),
    [
        ("unitPrice", 12, "unit_price", Decimal(12)),
        ("manualdiscountamount", "1.50", "discount", Decimal("1.50")),
        ("readyToSync", "TRUE", "ready_to_sync", True),
        ("_msdyn_shippingsite_value", " 1 ", "shipping_site", "1"),
    ],
)
def test_assign_coerces_onto_the_line(field, value, attribute, expected):
    line = make_order().lines[0]
    assign(line, LINE, SetValue(field=field, value=value))
    assert getattr(line, attribute) == expected


def test_assign_a_date_onto_the_order():
    order = make_order()
    assign(order, ORDER, SetValue(field="requestedDeliveryDate", value="2024-06-01"))
    assert order.requested_delivery_date == date(2024, 6, 1)


def test_assign_refuses_what_validation_refuses():
    line = make_order().lines[0]
    with pytest.raises(InvalidDefinition, match="non-negative"):
        assign(line, LINE, SetValue(field="unitPrice", value=-3))
    with pytest.raises(InvalidDefinition, match="OrderLine records are not Order records"):
        assign(line, ORDER, SetValue(field="company", value="USMF"))
    assert line.unit_price == Decimal(0)


# --- validation -----------------------------------------------------------------------------


def problems_of(defn: PolicyDefinition) -> dict[str, str]:
    with pytest.raises(InvalidDefinition) as raised:
        validate_definition(defn)
    return {p.field: p.message for p in raised.value.problems}


def test_every_problem_is_listed_with_its_field_path():
    defn = definition(
        LINE,
        rule("ok", "quantity ge 5", company="USMF"),
        rule("broken", "quantity ge", company="USMF"),
        Rule(name="bad actions", condition="quantity lt 5", actions=[
            SetValue(field="company", value="USMF"),
            SetValue(field="invoiceCustomerId", value="US-001"),
            SetValue(field="unitPrice", value="cheap"),
        ]),
        rule("ok", "quantity eq 1"),
    )  # fmt: skip
    problems = problems_of(defn)
    assert set(problems) == {
        "rules.1.condition", "rules.2.actions.1.field", "rules.2.actions.2.value",
        "rules.3.name",
    }  # fmt: skip
    assert "at position 11" in problems["rules.1.condition"]
    assert (
        "'invoiceCustomerId' cannot be set on Order product records"
        in problems["rules.2.actions.1.field"]
    )
    assert "settable: company, shippingSite" in problems["rules.2.actions.1.field"]
    assert "unitPrice: expected a non-negative number" in problems["rules.2.actions.2.value"]
    assert "used twice" in problems["rules.3.name"]


def test_filter_policies_may_not_set_values():
    defn = definition(ORDER, rule("f", "currency eq 'USD'", company="USMF"), type=PolicyType.FILTER)
    assert list(problems_of(defn)) == ["rules.0.actions"]


def test_a_valid_definition_passes():
    validate_definition(definition(LINE, *LAB_RULES))


# --- lifecycle ------------------------------------------------------------------------------

LATER = AT + timedelta(hours=1)
DRAFT = (VersionState.CURRENT, PublishStatus.UNPUBLISHED)


def standing(version) -> tuple[int, VersionState, PublishStatus]:
    return version.version, version.version_state, version.status


def test_create_gives_version_one_current_unpublished():
    created = policy(LINE, MIN_QTY)
    assert created.policy_id == "p-1"
    assert standing(created) == (1, *DRAFT)
    assert created.created_at == created.updated_at == AT
    with pytest.raises(InvalidDefinition):
        create_policy(definition(LINE, rule("x", "quantity ge")), "p-2", AT)


def test_edit_while_unpublished_and_not_once_published():
    created = policy(LINE, MIN_QTY)
    edited = edit_policy(created, definition(LINE, *LAB_RULES, name="Sourcing"), LATER)
    assert (edited.name, edited.version, edited.updated_at) == ("Sourcing", 1, LATER)
    assert [r.name for r in edited.rules] == ["large", "small"]
    published = publish_policy(edited, LATER)
    assert (published.status, published.published_at) == (PublishStatus.PUBLISHED, LATER)
    with pytest.raises(NotPermitted, match="is published; unpublish it to edit") as raised:
        edit_policy(published, definition(LINE, MIN_QTY), LATER)
    assert raised.value.field == "status"
    with pytest.raises(NotPermitted, match="already published"):
        publish_policy(published, LATER)


def test_publish_validates_again():
    created = policy(LINE, MIN_QTY)
    broken = created.model_copy(update={"rules": [rule("x", "quantity ge")]})
    with pytest.raises(InvalidDefinition, match=r"rules\.0\.condition"):
        publish_policy(broken, LATER)


def test_unpublish_versions_the_policy():
    published = publish_policy(policy(LINE, MIN_QTY), AT)
    current, archived = unpublish_policy(published, LATER)
    assert standing(current) == (2, *DRAFT)
    assert (current.created_at, current.published_at) == (LATER, None)
    assert current.rules == published.rules
    assert standing(archived) == (1, VersionState.ARCHIVED, PublishStatus.UNPUBLISHED)
    assert archived.published_at == AT
    with pytest.raises(NotPermitted, match="not published"):
        unpublish_policy(current, LATER)
    with pytest.raises(NotPermitted, match="archived"):
        edit_policy(archived, definition(LINE, MIN_QTY), LATER)


def test_rollback_to_version_one_gives_version_three_with_its_rules():
    v1 = publish_policy(policy(LINE, MIN_QTY), AT)
    v2, v1_archived = unpublish_policy(v1, AT)
    v2 = edit_policy(v2, definition(LINE, *LAB_RULES), AT)
    v3, v2_archived = rollback_policy(v2, v1_archived, LATER)
    assert standing(v3) == (3, *DRAFT)
    assert v3.rules == v1.rules
    assert (v2_archived.version, v2_archived.version_state) == (2, VersionState.ARCHIVED)
    assert [r.name for r in v2_archived.rules] == ["large", "small"]


def test_rollback_is_refused_to_the_current_version_and_while_published():
    v1 = publish_policy(policy(LINE, MIN_QTY), AT)
    v2, v1_archived = unpublish_policy(v1, AT)
    with pytest.raises(NotPermitted) as raised:
        rollback_policy(v2, v2, LATER)
    assert raised.value.field == "version"
    with pytest.raises(NotPermitted, match="unpublish it to roll back"):
        rollback_policy(publish_policy(v2, LATER), v1_archived, LATER)
    other = v1_archived.model_copy(update={"policy_id": "p-9"})
    with pytest.raises(NotPermitted, match="belongs to policy 'p-9'"):
        rollback_policy(v2, other, LATER)
