import json

import azure.functions as func
import pytest

import function_app
from functions.openapi import get_openapi, openapi_document

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def http_functions():
    function_app.app.functions_bindings = None  # get_functions() may run once per app otherwise
    functions = function_app.app.get_functions()
    return {
        f.get_function_name(): f.get_trigger()
        for f in functions
        if f.get_trigger().type == "httpTrigger"
    }


@pytest.fixture(scope="module")
def document():
    return openapi_document()


def operations(document):
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def resolve(document, ref):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def refs_in(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def test_the_document_describes_exactly_the_registered_http_routes(http_functions, document):
    registered = {
        (str(method), f"/api/{trigger.route}")
        for trigger in http_functions.values()
        for method in trigger.methods
    }
    assert registered == set(operations(document))


def test_operation_ids_are_the_function_names(http_functions, document):
    by_route = {
        (str(method), f"/api/{trigger.route}"): name
        for name, trigger in http_functions.items()
        for method in trigger.methods
    }
    ids = {key: operation["operationId"] for key, operation in operations(document).items()}
    assert ids == by_route


def test_anonymous_routes_need_no_key_and_the_rest_need_the_function_key(http_functions, document):
    for name, trigger in http_functions.items():
        for method in trigger.methods:
            operation = operations(document)[(str(method), f"/api/{trigger.route}")]
            if trigger.auth_level == func.AuthLevel.ANONYMOUS:
                assert operation["security"] == [], name
            else:
                assert operation["security"] == [
                    {"functionKeyHeader": []}, {"functionKeyQuery": []},
                ], name  # fmt: skip
    schemes = document["components"]["securitySchemes"]
    assert schemes["functionKeyHeader"] == {
        "type": "apiKey", "in": "header", "name": "x-functions-key",
    }  # fmt: skip
    assert schemes["functionKeyQuery"] == {"type": "apiKey", "in": "query", "name": "code"}


def test_request_bodies_reference_component_schemas(document):
    bodies = {
        operation["operationId"]: operation["requestBody"]["content"]["application/json"]
        for operation in operations(document).values()
        if "requestBody" in operation
    }
    assert set(bodies) == {
        "place_order", "cancel_order", "create_policy", "edit_policy", "rollback_policy",
        "edit_sync_map", "receive_sync_change",
        "create_flow", "edit_flow", "set_order_handling", "update_stock", "create_source",
        "replace_source", "create_source_list", "replace_source_list", "create_strategy",
        "replace_strategy", "plan_fulfillment", "create_purchase_order", "edit_purchase_order",
        "mirror_purchase_order_status", "post_purchase_order_receipt", "create_transfer_order",
        "ship_transfer_order", "receive_transfer_order", "install_provider",
        "receive_provider_event",
    }  # fmt: skip
    for name, content in bodies.items():
        schema = resolve(document, content["schema"]["$ref"])
        assert schema["type"] == "object", name


def test_every_ref_resolves(document):
    refs = set(refs_in(document))
    assert "#/components/schemas/PolicyDefinition" in refs
    for ref in refs:
        resolve(document, ref)


def test_path_parameters_are_declared(document):
    for (method, path), operation in operations(document).items():
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        expected = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        assert declared == expected, (method, path)


def test_errors_share_the_error_schema(document):
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "field"]
    create = document["paths"]["/api/policies"]["post"]["responses"]
    for status in ("400", "409", "413"):
        response = resolve(document, create[status]["$ref"])
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}
    assert "201" in create
    get = document["paths"]["/api/policies/{policy_id}"]["get"]["responses"]
    assert get["404"] == {"$ref": "#/components/responses/404"}


def test_list_queries_are_documented(document):
    orders = document["paths"]["/api/orders"]["get"]["parameters"]
    assert [p["name"] for p in orders] == [
        "state", "reason", "createdFrom", "createdTo", "channel", "limit", "continuation",
    ]  # fmt: skip
    errors = {p["name"]: p for p in document["paths"]["/api/errors"]["get"]["parameters"]}
    assert set(errors) == {"kind", "orderId", "limit", "continuation"}
    assert {"Provider action", "provider-action"} <= set(errors["kind"]["schema"]["enum"])
    assert errors["limit"]["schema"]["maximum"] == 500


def test_the_document_is_json_and_built_once(document):
    assert json.loads(json.dumps(document)) == document
    assert document["openapi"].startswith("3.1")
    assert openapi_document() is document


def test_the_trigger_serves_the_document(document):
    request = func.HttpRequest(method="GET", url="http://localhost/api/openapi.json", body=b"")

    response = get_openapi(request)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert json.loads(response.get_body()) == document


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/orders", "202"), ("/api/policies", "201"), ("/api/flows", "201")],
)
def test_creations_name_their_location(document, path, status):
    response = document["paths"][path]["post"]["responses"][status]
    assert "Location" in response["headers"]
