import pytest

from functions import configuration as triggers
from tests.unit.functions.configuration_api import (
    FILTER_POLICY,
    call,
    create_flow,
    create_policy,
    flow_body,
    publish_policy,
    state,
    use_hub,
)


@pytest.fixture
def hub(monkeypatch):
    return use_hub(monkeypatch)


# Creating and reading


def test_create_policy_is_201_with_the_policy_and_its_location(hub):
    response, policy = call(triggers.create_policy, "POST", "policies", FILTER_POLICY)

    assert response.status_code == 201
    assert response.headers["Location"] == f"http://localhost/api/policies/{policy['policyId']}"
    assert policy["name"] == "Only web orders"
    assert policy["version"] == 1
    assert policy["status"] == "Unpublished"
    assert policy["versionState"] == "Current"
    assert policy["criticality"] == "Information"
    _, listed = call(triggers.list_policies, "GET", "policies")
    assert listed == {"policies": [policy]}
    response, got = call(triggers.get_policy, "GET", "p", policy_id=policy["policyId"])
    assert (response.status_code, got) == (200, policy)


def test_create_flow_is_201_with_the_flow_and_its_location(hub):
    response, flow = call(triggers.create_flow, "POST", "flows", flow_body())

    assert response.status_code == 201
    assert response.headers["Location"] == f"http://localhost/api/flows/{flow['flowId']}"
    assert (flow["status"], flow["version"]) == ("Unpublished", 0)
    assert flow["steps"][0]["stepId"] == "validate-header"
    _, listed = call(triggers.list_flows, "GET", "flows")
    assert listed == {"flows": [flow]}
    response, got = call(triggers.get_flow, "GET", "f", flow_id=flow["flowId"])
    assert (response.status_code, got) == (200, flow)


@pytest.mark.parametrize(
    ("trigger", "param"),
    [
        (triggers.get_policy, "policy_id"), (triggers.edit_policy, "policy_id"),
        (triggers.delete_policy, "policy_id"), (triggers.publish_policy, "policy_id"),
        (triggers.unpublish_policy, "policy_id"), (triggers.list_policy_versions, "policy_id"),
        (triggers.get_flow, "flow_id"), (triggers.edit_flow, "flow_id"),
        (triggers.delete_flow, "flow_id"), (triggers.publish_flow, "flow_id"),
        (triggers.unpublish_flow, "flow_id"),
    ],
)  # fmt: skip
def test_unknown_ids_are_404(hub, trigger, param):
    body = FILTER_POLICY if param == "policy_id" else flow_body()
    response, error = call(trigger, "POST", "x", body, **{param: "nope"})

    assert response.status_code == 404
    assert error["error"]["code"] == "NotFound"
    assert "nope" in error["error"]["message"]


# Input rejected at the edge


def test_a_condition_with_a_syntax_error_is_400_listing_the_problems(hub):
    bad = {**FILTER_POLICY, "rules": [{"name": "web", "condition": "channel eq"}]}

    response, error = call(triggers.create_policy, "POST", "policies", bad)

    assert response.status_code == 400
    assert error["error"]["code"] == "InvalidDefinition"
    assert error["error"]["field"] == "rules.0.condition"
    assert [p["field"] for p in error["error"]["problems"]] == ["rules.0.condition"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "Sorting"}, "type"),
        ({"entity": "Invoice"}, "entity"),
        ({"criticality": "Fatal"}, "criticality"),
        ({"rules": [{"name": "web"}]}, "rules.0.condition"),
        ({"rules": []}, "rules"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_policy_fields_are_400_naming_the_field(hub, change, field):
    response, error = call(triggers.create_policy, "POST", "policies", {**FILTER_POLICY, **change})

    assert response.status_code == 400
    assert error["error"]["code"] == "InvalidRequest"
    assert error["error"]["field"] == field


def test_a_bad_flow_step_is_400_naming_the_field(hub):
    body = flow_body()
    body["steps"][0]["stepId"] = "Not A Slug"

    response, error = call(triggers.create_flow, "POST", "flows", body)

    assert response.status_code == 400
    assert error["error"]["field"] == "steps.0.stepId"


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"name": ', 400, "InvalidJson"),
        (b"\xff\xfe", 400, "InvalidJson"),
        (b"", 400, "InvalidJson"),
        (b'{"name": "' + b"x" * (1024 * 1024) + b'"}', 413, "PayloadTooLarge"),
    ],
    ids=["truncated", "not utf-8", "empty", "over 1 MiB"],
)
@pytest.mark.parametrize("trigger", [triggers.create_policy, triggers.create_flow])
def test_unreadable_bodies_are_rejected(hub, trigger, raw, status, code):
    response, error = call(trigger, "POST", "x", raw)

    assert response.status_code == status
    assert error["error"]["code"] == code
    assert state() == ({"policies": []}, {"flows": []}, {})


@pytest.mark.parametrize(
    "body",
    [{"version": 0}, {"version": "1"}, {"version": 1.5}, {}, {"version": 1, "note": "x"}, []],
)
def test_a_bad_rollback_body_is_400(hub, body):
    policy_id = create_policy()

    response, error = call(triggers.rollback_policy, "POST", "r", body, policy_id=policy_id)

    assert response.status_code == 400
    assert error["error"]["code"] == "InvalidRequest"


# Lifecycle


def test_publish_unpublish_versions_and_rollback(hub):
    policy_id = create_policy()
    edited = {**FILTER_POLICY, "name": "Only web orders (edited)"}
    response, policy = call(triggers.edit_policy, "PUT", "p", edited, policy_id=policy_id)
    assert (response.status_code, policy["name"], policy["version"]) == (200, edited["name"], 1)

    response, policy = call(triggers.publish_policy, "POST", "p", policy_id=policy_id)
    assert (response.status_code, policy["status"]) == (200, "Published")
    assert policy["publishedAt"] is not None

    response, policy = call(triggers.unpublish_policy, "POST", "p", policy_id=policy_id)
    assert response.status_code == 200
    assert (policy["version"], policy["status"], policy["versionState"]) == (
        2, "Unpublished", "Current",
    )  # fmt: skip

    call(triggers.edit_policy, "PUT", "p", FILTER_POLICY, policy_id=policy_id)
    response, rolled = call(
        triggers.rollback_policy, "POST", "r", {"version": 1}, policy_id=policy_id
    )
    assert (response.status_code, rolled["version"], rolled["name"]) == (200, 3, edited["name"])

    response, versions = call(triggers.list_policy_versions, "GET", "v", policy_id=policy_id)
    assert response.status_code == 200
    assert [(v["version"], v["versionState"]) for v in versions["versions"]] == [
        (1, "Archived"), (2, "Archived"), (3, "Current"),
    ]  # fmt: skip


def test_a_flow_publishes_once_its_policies_are_published_and_unpublishes(hub):
    policy_id = create_policy()
    flow_id = create_flow(flow_body(policies=[policy_id]))
    publish_policy(policy_id)

    response, flow = call(triggers.publish_flow, "POST", "f", flow_id=flow_id)
    assert (response.status_code, flow["status"], flow["version"]) == (200, "Published", 1)

    response, flow = call(triggers.unpublish_flow, "POST", "f", flow_id=flow_id)
    assert (response.status_code, flow["status"], flow["version"]) == (200, "Unpublished", 1)

    response, flow = call(
        triggers.edit_flow, "PUT", "f", flow_body(name="Renamed"), flow_id=flow_id
    )
    assert (response.status_code, flow["name"], flow["steps"][0]["filterPolicies"]) == (
        200, "Renamed", [],
    )  # fmt: skip


def test_deleting_unpublished_records_is_204(hub):
    policy_id = create_policy()
    flow_id = create_flow(flow_body())

    response, body = call(triggers.delete_flow, "DELETE", "f", flow_id=flow_id)
    assert (response.status_code, body) == (204, None)
    response, body = call(triggers.delete_policy, "DELETE", "p", policy_id=policy_id)
    assert (response.status_code, body) == (204, None)

    assert state() == ({"policies": []}, {"flows": []}, {})
