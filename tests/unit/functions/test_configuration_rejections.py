"""Every rejected policy or flow request leaves the stored state as it was."""

from types import SimpleNamespace

import pytest

from functions import configuration as triggers
from tests.unit.functions.configuration_api import (
    FILTER_POLICY,
    call,
    create_flow,
    create_policy,
    flow_body,
    publish_flow,
    publish_policy,
    state,
    use_hub,
)


@pytest.fixture
def seeded(monkeypatch):
    """A published policy and flow, an unpublished policy and a flow that uses it."""
    use_hub(monkeypatch)
    published = create_policy()
    publish_policy(published)
    unpublished = create_policy({**FILTER_POLICY, "name": "Draft"})
    live = create_flow(flow_body("Live", [published]))
    publish_flow(live)
    draft = create_flow(flow_body("Draft flow", [unpublished]))
    return SimpleNamespace(published=published, unpublished=unpublished, live=live, draft=draft)


REJECTED = {
    # name: (trigger, route params by seeded name, body, status, error field)
    "edit published policy": (
        triggers.edit_policy, {"policy_id": "published"}, FILTER_POLICY, 409, "status",
    ),
    "publish published policy": (
        triggers.publish_policy, {"policy_id": "published"}, None, 409, "status",
    ),
    "unpublish unpublished policy": (
        triggers.unpublish_policy, {"policy_id": "unpublished"}, None, 409, "status",
    ),
    "delete published policy": (
        triggers.delete_policy, {"policy_id": "published"}, None, 409, "status",
    ),
    "delete policy a flow uses": (
        triggers.delete_policy, {"policy_id": "unpublished"}, None, 409, "flows",
    ),
    "roll back a published policy": (
        triggers.rollback_policy, {"policy_id": "published"}, {"version": 1}, 409, "status",
    ),
    "roll back to a missing version": (
        triggers.rollback_policy, {"policy_id": "unpublished"}, {"version": 7}, 404, None,
    ),
    "edit policy with a bad condition": (
        triggers.edit_policy, {"policy_id": "unpublished"},
        {**FILTER_POLICY, "rules": [{"name": "r", "condition": "(("}]}, 400,
        "rules.0.condition",
    ),
    "create policy with an unknown type": (
        triggers.create_policy, {}, {**FILTER_POLICY, "type": "Sorting"}, 400, "type",
    ),
    "edit published flow": (
        triggers.edit_flow, {"flow_id": "live"}, flow_body("Live"), 409, "status",
    ),
    "publish flow with an unpublished policy": (
        triggers.publish_flow, {"flow_id": "draft"}, None, 400, "steps.0.filterPolicies.0",
    ),
    "unpublish unpublished flow": (
        triggers.unpublish_flow, {"flow_id": "draft"}, None, 409, "status",
    ),
    "delete published flow": (triggers.delete_flow, {"flow_id": "live"}, None, 409, "status"),
    "create flow with a taken name": (
        triggers.create_flow, {}, flow_body("live"), 409, "name",
    ),
    "rename flow to a taken name": (
        triggers.edit_flow, {"flow_id": "draft"}, flow_body("Live"), 409, "name",
    ),
    "create flow over 1 MiB": (
        triggers.create_flow, {}, b" " * (1024 * 1024 + 1), 413, None,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_rejected_requests_write_nothing(seeded, case):
    trigger, params, body, status, field = REJECTED[case]
    before = state()

    route_params = {name: getattr(seeded, value) for name, value in params.items()}
    response, error = call(trigger, "POST", "x", body, **route_params)

    assert response.status_code == status, error
    assert error["error"]["field"] == field
    assert state() == before
