"""Calling the policy and flow triggers as the host would, over an in-memory hub."""

import json
from types import SimpleNamespace

import azure.functions as func

from functions import configuration as triggers
from tests.support.hub import Hub, make_hub

FILTER_POLICY = {
    "name": "Only web orders",
    "type": "Filter",
    "entity": "Order",
    "rules": [{"name": "web", "condition": "channel eq 'web'"}],
}


def flow_body(name="Standard", policies=()):
    step = {
        "stepId": "validate-header", "name": "Validate header",
        "action": "Validate Order Header", "inputEvents": ["New Order"],
        "filterPolicies": list(policies),
    }  # fmt: skip
    return {"name": name, "steps": [step]}


def call(trigger, method, path, body=None, **route_params):
    """Call a trigger as the host would: `body` is JSON-encoded unless it is already bytes."""
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    request = func.HttpRequest(
        method=method, url=f"http://localhost/api/{path}", body=raw, route_params=route_params
    )
    response = trigger(request)
    text = response.get_body()
    return response, json.loads(text) if text else None


def create_policy(body=None):
    response, policy = call(triggers.create_policy, "POST", "policies", body or FILTER_POLICY)
    assert response.status_code == 201, policy
    return policy["policyId"]


def create_flow(body):
    response, flow = call(triggers.create_flow, "POST", "flows", body)
    assert response.status_code == 201, flow
    return flow["flowId"]


def publish_policy(policy_id):
    response, _ = call(triggers.publish_policy, "POST", "p", policy_id=policy_id)
    assert response.status_code == 200


def publish_flow(flow_id):
    response, body = call(triggers.publish_flow, "POST", "f", flow_id=flow_id)
    assert response.status_code == 200, body


def state():
    """Everything the API shows: the policies, their versions and the flows."""
    _, policies = call(triggers.list_policies, "GET", "policies")
    _, flows = call(triggers.list_flows, "GET", "flows")
    versions = {
        p["policyId"]: call(triggers.list_policy_versions, "GET", "v", policy_id=p["policyId"])[1]
        for p in policies["policies"]
    }
    return policies, flows, versions


def use_hub(monkeypatch) -> Hub:
    """A fresh in-memory hub that the configuration triggers use as their container."""
    hub = make_hub()
    container = SimpleNamespace(configuration=hub.configuration)
    monkeypatch.setattr(triggers, "get_container", lambda: container)
    return hub
