"""The table of HTTP operations the OpenAPI document describes: one row per registered route."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from domain.flows.model import Flow, FlowDefinition
from domain.orders.model import RaisedEvent, SalesOrder
from domain.orders.states import OrderState
from domain.policies.model import Policy, PolicyDefinition
from functions.configuration import RollbackPolicy
from functions.errors import KINDS
from functions.errors import MAX_LIMIT as MAX_ERRORS
from services.orders.commands import CancelOrder, PlaceOrder

Schema = dict[str, Any]
Method = Literal["GET", "POST", "PUT", "DELETE"]


@dataclass(frozen=True)
class Ref:
    """A response schema that is a pydantic model's serialized form (a $ref in the document)."""

    model: type[BaseModel]


@dataclass(frozen=True)
class Operation:
    """One route and method: its operationId (the function name), body, query and responses."""

    name: str
    method: Method
    path: str
    tag: str
    summary: str
    responses: dict[str, tuple[str, Any]]
    errors: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: tuple[Schema, ...] = field(default_factory=tuple)
    anonymous: bool = False
    location: str | None = None  # the status whose response carries a Location header


# Every model the document names: request bodies as validated, responses as serialized.
MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (PlaceOrder, "validation"), (CancelOrder, "validation"),
    (PolicyDefinition, "validation"), (RollbackPolicy, "validation"),
    (FlowDefinition, "validation"), (SalesOrder, "serialization"),
    (RaisedEvent, "serialization"), (Policy, "serialization"), (Flow, "serialization"),
]  # fmt: skip


def _object(**properties: Any) -> Schema:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _array(items: Any) -> Schema:
    return {"type": "array", "items": items}


def _page(name: str, items: Any) -> Schema:
    return _object(**{name: _array(items), "continuation": {"type": ["string", "null"]}})


def _query(name: str, description: str, **schema: Any) -> Schema:
    return {"name": name, "description": description, "schema": schema or {"type": "string"}}


_STRING: Schema = {"type": "string"}
_NULLABLE: Schema = {"type": ["string", "null"]}
_CONTINUATION = _query("continuation", "the token from the previous page")

_HEALTH = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"enum": ["healthy", "unhealthy"]},
        "reason": _STRING,
        "checks": _array(
            _object(kind=_STRING, name=_STRING, ok={"type": "boolean"}, detail=_NULLABLE)
        ),
    },
}
_PENDING = _object(
    pending=_array(_object(messageId=_STRING, table=_STRING, partitionKey=_STRING)),
    count={"type": "integer"},
)
_ACCEPTED = _object(orderId=_STRING, created={"type": "boolean"}, url=_STRING, timelineUrl=_STRING)
_SUMMARY = _object(
    orderId=_STRING, channel=_STRING, externalOrderId=_STRING, state=_STRING, reason=_STRING,
    createdAt={"type": "string", "format": "date-time"},
    updatedAt={"type": "string", "format": "date-time"},
    lineCount={"type": "integer"}, currency=_STRING, url=_STRING,
)  # fmt: skip
_ORDER = {"allOf": [Ref(SalesOrder), _object(links=_object(self=_STRING, timeline=_STRING,
                                                             reprocess=_STRING))]}  # fmt: skip
_OPERATION_ERROR = _object(
    errorId=_STRING, kind={"enum": sorted({k.value for k in KINDS.values()})},
    at={"type": "string", "format": "date-time"}, message=_STRING, orderId=_NULLABLE,
    flowId=_NULLABLE, stepId=_NULLABLE, policyId=_NULLABLE,
    attempt={"type": ["integer", "null"]},
    details={"type": "object", "additionalProperties": _STRING},
)  # fmt: skip

_KEYED_EDIT = ("400", "404", "409", "413")
_POLICY = ("The policy", Ref(Policy))
_FLOW = ("The flow", Ref(Flow))
_DELETED = {"204": ("Deleted", None)}

OPERATIONS: tuple[Operation, ...] = (
    Operation("health", "GET", "/api/health", "health", "Do the tables and queues answer?",
              {"200": ("Healthy", _HEALTH), "503": ("Unhealthy, with the reason", _HEALTH)},
              anonymous=True),
    Operation("list_pending_outbox", "GET", "/api/outbox/pending", "outbox",
              "Messages committed but not relayed after the grace period (should be empty)",
              {"200": ("The pending messages", _PENDING)}),
    Operation("place_order", "POST", "/api/orders", "orders",
              "Take an order; idempotent on (channel, externalOrderId)",
              {"202": ("Created (Location: the order)", _ACCEPTED),
               "200": ("Already taken: the same order id", _ACCEPTED)},
              ("400", "409", "413"), body=PlaceOrder, location="202"),
    Operation("list_orders", "GET", "/api/orders", "orders",
              "Orders by state, reason, creation date and channel, a page at a time",
              {"200": ("A page of orders", _page("orders", _SUMMARY))}, ("400",),
              query=(_query("state", "order state", type="string",
                            enum=[s.value for s in OrderState]),
                     _query("reason", "status reason"),
                     _query("createdFrom", "created at or after", type="string",
                            format="date-time"),
                     _query("createdTo", "created before", type="string", format="date-time"),
                     _query("channel", "sales channel"),
                     _query("limit", "page size", type="integer", minimum=1, maximum=1000,
                            default=50),
                     _CONTINUATION)),
    Operation("get_order", "GET", "/api/orders/{order_id}", "orders",
              "The order: header, lines, states, findings, fulfillment orders, step results",
              {"200": ("The order", _ORDER)}, ("404",)),
    Operation("get_order_timeline", "GET", "/api/orders/{order_id}/timeline", "orders",
              "Every business event raised on the order, in order",
              {"200": ("The timeline", _object(orderId=_STRING,
                                               events=_array(Ref(RaisedEvent))))}, ("404",)),
    Operation("reprocess_order", "POST", "/api/orders/{order_id}/reprocess", "orders",
              "Restart the order from its failed steps",
              {"202": ("Restarted", _object(orderId=_STRING, restartedSteps=_array(_STRING)))},
              ("404", "409")),
    Operation("cancel_order", "POST", "/api/orders/{order_id}/cancel", "orders",
              "Cancel the order, or only the given lines (no body: the whole order)",
              {"200": ("The canceled order", _ORDER)}, _KEYED_EDIT, body=CancelOrder,
              body_required=False),
    Operation("create_policy", "POST", "/api/policies", "policies",
              "Create an unpublished policy (version 1)",
              {"201": ("Created (Location: the policy)", Ref(Policy))}, ("400", "409", "413"),
              body=PolicyDefinition, location="201"),
    Operation("list_policies", "GET", "/api/policies", "policies",
              "The current version of every policy",
              {"200": ("The policies", _object(policies=_array(Ref(Policy))))}),
    Operation("get_policy", "GET", "/api/policies/{policy_id}", "policies",
              "The policy's current version", {"200": _POLICY}, ("404",)),
    Operation("edit_policy", "PUT", "/api/policies/{policy_id}", "policies",
              "Replace an unpublished policy's definition", {"200": _POLICY}, _KEYED_EDIT,
              body=PolicyDefinition),
    Operation("delete_policy", "DELETE", "/api/policies/{policy_id}", "policies",
              "Delete an unpublished policy that no flow uses", _DELETED, ("404", "409")),
    Operation("publish_policy", "POST", "/api/policies/{policy_id}/publish", "policies",
              "Publish the current version so flows can use it", {"200": _POLICY},
              ("400", "404", "409")),
    Operation("unpublish_policy", "POST", "/api/policies/{policy_id}/unpublish", "policies",
              "Archive the published version; a new editable version becomes current",
              {"200": _POLICY}, ("404", "409")),
    Operation("list_policy_versions", "GET", "/api/policies/{policy_id}/versions", "policies",
              "Every version of the policy, oldest first",
              {"200": ("The versions", _object(versions=_array(Ref(Policy))))}, ("404",)),
    Operation("rollback_policy", "POST", "/api/policies/{policy_id}/rollback", "policies",
              "Make a new current version with an earlier version's definition",
              {"200": _POLICY}, _KEYED_EDIT, body=RollbackPolicy),
    Operation("create_flow", "POST", "/api/flows", "flows", "Create an unpublished flow",
              {"201": ("Created (Location: the flow)", Ref(Flow))}, ("400", "409", "413"),
              body=FlowDefinition, location="201"),
    Operation("list_flows", "GET", "/api/flows", "flows", "Every flow's definition and status",
              {"200": ("The flows", _object(flows=_array(Ref(Flow))))}),
    Operation("get_flow", "GET", "/api/flows/{flow_id}", "flows",
              "The flow's definition and status", {"200": _FLOW}, ("404",)),
    Operation("edit_flow", "PUT", "/api/flows/{flow_id}", "flows",
              "Replace an unpublished flow's definition", {"200": _FLOW}, _KEYED_EDIT,
              body=FlowDefinition),
    Operation("delete_flow", "DELETE", "/api/flows/{flow_id}", "flows",
              "Delete an unpublished flow", _DELETED, ("404", "409")),
    Operation("publish_flow", "POST", "/api/flows/{flow_id}/publish", "flows",
              "Validate and publish the flow as its next version (its policies must be "
              "published)", {"200": _FLOW}, ("400", "404", "409")),
    Operation("unpublish_flow", "POST", "/api/flows/{flow_id}/unpublish", "flows",
              "Stop the published flow: new orders no longer start in it", {"200": _FLOW},
              ("404", "409")),
    Operation("list_errors", "GET", "/api/errors", "errors",
              "Errors for operators, newest first, a page at a time",
              {"200": ("A page of errors", _page("errors", _OPERATION_ERROR))}, ("400",),
              query=(_query("kind", "error list", type="string", enum=sorted(KINDS)),
                     _query("orderId", "only this order's errors"),
                     _query("limit", "page size", type="integer", minimum=1,
                            maximum=MAX_ERRORS, default=50),
                     _CONTINUATION)),
    Operation("get_openapi", "GET", "/api/openapi.json", "meta", "This document",
              {"200": ("The OpenAPI 3.1 document", {"type": "object"})}, anonymous=True),
)  # fmt: skip
