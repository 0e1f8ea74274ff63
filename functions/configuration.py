"""The operators' policy and flow API (function-key protected): create, edit, publish, version."""

from __future__ import annotations

import azure.functions as func
from pydantic import BaseModel, ConfigDict, Field

from bootstrap.container import get_container
from domain.flows.model import Flow, FlowDefinition
from domain.policies.model import Policy, PolicyDefinition
from functions._http import handle_errors, json_response, parse_body

bp = func.Blueprint()


class RollbackPolicy(BaseModel):
    """The body of a rollback: the earlier version whose definition becomes current again."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, strict=True)


# Policies


@bp.function_name("create_policy")
@bp.route(route="policies", methods=["POST"])
@handle_errors
def create_policy(req: func.HttpRequest) -> func.HttpResponse:
    """Create an unpublished policy (version 1): 201 with the policy and its Location."""
    policy = get_container().configuration.create_policy(parse_body(req, PolicyDefinition))
    return _created(req, f"policies/{policy.policy_id}", _policy_body(policy))


@bp.function_name("list_policies")
@bp.route(route="policies", methods=["GET"])
@handle_errors
def list_policies(req: func.HttpRequest) -> func.HttpResponse:
    """The current version of every policy."""
    policies = get_container().configuration.policies.list()
    return json_response({"policies": [_policy_body(p) for p in policies]})


@bp.function_name("get_policy")
@bp.route(route="policies/{policy_id}", methods=["GET"])
@handle_errors
def get_policy(req: func.HttpRequest) -> func.HttpResponse:
    """The policy's current version."""
    policy = get_container().configuration.policy(req.route_params["policy_id"])
    return json_response(_policy_body(policy))


@bp.function_name("edit_policy")
@bp.route(route="policies/{policy_id}", methods=["PUT"])
@handle_errors
def edit_policy(req: func.HttpRequest) -> func.HttpResponse:
    """Replace an unpublished policy's definition."""
    definition = parse_body(req, PolicyDefinition)
    policy = get_container().configuration.edit_policy(req.route_params["policy_id"], definition)
    return json_response(_policy_body(policy))


@bp.function_name("delete_policy")
@bp.route(route="policies/{policy_id}", methods=["DELETE"])
@handle_errors
def delete_policy(req: func.HttpRequest) -> func.HttpResponse:
    """Delete an unpublished policy that no flow uses: 204."""
    get_container().configuration.delete_policy(req.route_params["policy_id"])
    return func.HttpResponse(status_code=204)


@bp.function_name("publish_policy")
@bp.route(route="policies/{policy_id}/publish", methods=["POST"])
@handle_errors
def publish_policy(req: func.HttpRequest) -> func.HttpResponse:
    """Publish the policy's current version so flows can use it."""
    policy = get_container().configuration.publish_policy(req.route_params["policy_id"])
    return json_response(_policy_body(policy))


@bp.function_name("unpublish_policy")
@bp.route(route="policies/{policy_id}/unpublish", methods=["POST"])
@handle_errors
def unpublish_policy(req: func.HttpRequest) -> func.HttpResponse:
    """Unpublish: archive the published version and answer the new editable one."""
    policy = get_container().configuration.unpublish_policy(req.route_params["policy_id"])
    return json_response(_policy_body(policy))


@bp.function_name("list_policy_versions")
@bp.route(route="policies/{policy_id}/versions", methods=["GET"])
@handle_errors
def list_policy_versions(req: func.HttpRequest) -> func.HttpResponse:
    """Every version of the policy, oldest first."""
    versions = get_container().configuration.policy_versions(req.route_params["policy_id"])
    return json_response({"versions": [_policy_body(p) for p in versions]})


@bp.function_name("rollback_policy")
@bp.route(route="policies/{policy_id}/rollback", methods=["POST"])
@handle_errors
def rollback_policy(req: func.HttpRequest) -> func.HttpResponse:
    """Make a new current version with an earlier version's definition."""
    version = parse_body(req, RollbackPolicy).version
    configuration = get_container().configuration
    policy = configuration.rollback_policy(req.route_params["policy_id"], version)
    return json_response(_policy_body(policy))


# Flows


@bp.function_name("create_flow")
@bp.route(route="flows", methods=["POST"])
@handle_errors
def create_flow(req: func.HttpRequest) -> func.HttpResponse:
    """Create an unpublished flow: 201 with the flow and its Location."""
    flow = get_container().configuration.create_flow(parse_body(req, FlowDefinition))
    return _created(req, f"flows/{flow.flow_id}", _flow_body(flow))


@bp.function_name("list_flows")
@bp.route(route="flows", methods=["GET"])
@handle_errors
def list_flows(req: func.HttpRequest) -> func.HttpResponse:
    """Every flow's current definition and status."""
    flows = get_container().configuration.flows.list()
    return json_response({"flows": [_flow_body(f) for f in flows]})


@bp.function_name("get_flow")
@bp.route(route="flows/{flow_id}", methods=["GET"])
@handle_errors
def get_flow(req: func.HttpRequest) -> func.HttpResponse:
    """The flow's definition and status."""
    flow = get_container().configuration.flow(req.route_params["flow_id"])
    return json_response(_flow_body(flow))


@bp.function_name("edit_flow")
@bp.route(route="flows/{flow_id}", methods=["PUT"])
@handle_errors
def edit_flow(req: func.HttpRequest) -> func.HttpResponse:
    """Replace an unpublished flow's definition."""
    definition = parse_body(req, FlowDefinition)
    flow = get_container().configuration.edit_flow(req.route_params["flow_id"], definition)
    return json_response(_flow_body(flow))


@bp.function_name("delete_flow")
@bp.route(route="flows/{flow_id}", methods=["DELETE"])
@handle_errors
def delete_flow(req: func.HttpRequest) -> func.HttpResponse:
    """Delete an unpublished flow: 204."""
    get_container().configuration.delete_flow(req.route_params["flow_id"])
    return func.HttpResponse(status_code=204)


@bp.function_name("publish_flow")
@bp.route(route="flows/{flow_id}/publish", methods=["POST"])
@handle_errors
def publish_flow(req: func.HttpRequest) -> func.HttpResponse:
    """Validate and publish the flow as its next version."""
    flow = get_container().configuration.publish_flow(req.route_params["flow_id"])
    return json_response(_flow_body(flow))


@bp.function_name("unpublish_flow")
@bp.route(route="flows/{flow_id}/unpublish", methods=["POST"])
@handle_errors
def unpublish_flow(req: func.HttpRequest) -> func.HttpResponse:
    """Stop a published flow (IOM's Stop): new orders no longer start in it."""
    flow = get_container().configuration.stop_flow(req.route_params["flow_id"])
    return json_response(_flow_body(flow))


def _policy_body(policy: Policy) -> dict[str, object]:
    return policy.model_dump(mode="json", by_alias=True)


def _flow_body(flow: Flow) -> dict[str, object]:
    return flow.model_dump(mode="json", by_alias=True)


def _created(req: func.HttpRequest, path: str, body: dict[str, object]) -> func.HttpResponse:
    response = json_response(body, 201)
    response.headers["Location"] = f"{req.url.split('/api/', 1)[0]}/api/{path}"
    return response
