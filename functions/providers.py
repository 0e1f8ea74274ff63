"""The provider catalog and installed providers (function-key protected).

Credentials are never accepted or returned: an installed provider names the app settings that
hold them (`connections`), so secrets stay in the Functions configuration (or Key Vault).
"""

from __future__ import annotations

import azure.functions as func

from bootstrap.container import get_container
from domain.providers.model import ProviderInstance
from functions._http import handle_errors, json_response, parse_body
from services.providers.catalog import InstallProvider

bp = func.Blueprint()


def _body(instance: ProviderInstance) -> dict[str, object]:
    return instance.model_dump(mode="json", by_alias=True)


@bp.function_name("list_provider_catalog")
@bp.route(route="providers/catalog", methods=["GET"])
@handle_errors
def catalog(req: func.HttpRequest) -> func.HttpResponse:
    """Every provider definition: its actions (attempts, timeout), connections, parameters."""
    definitions = get_container().providers.catalog()
    return json_response(
        {"providers": [d.model_dump(mode="json", by_alias=True) for d in definitions]}
    )


@bp.function_name("install_provider")
@bp.route(route="providers", methods=["POST"])
@handle_errors
def install(req: func.HttpRequest) -> func.HttpResponse:
    """Install a provider from the catalog (status Installed): 201."""
    instance = get_container().providers.install(parse_body(req, InstallProvider))
    return json_response(_body(instance), 201)


@bp.function_name("list_providers")
@bp.route(route="providers", methods=["GET"])
@handle_errors
def list_providers(req: func.HttpRequest) -> func.HttpResponse:
    """Every installed provider and its status."""
    return json_response({"providers": [_body(p) for p in get_container().providers.list()]})


@bp.function_name("get_provider")
@bp.route(route="providers/{instance_id}", methods=["GET"])
@handle_errors
def get_provider(req: func.HttpRequest) -> func.HttpResponse:
    """One installed provider."""
    return json_response(_body(get_container().providers.get(req.route_params["instance_id"])))


@bp.function_name("activate_provider")
@bp.route(route="providers/{instance_id}/activate", methods=["POST"])
@handle_errors
def activate(req: func.HttpRequest) -> func.HttpResponse:
    """Activate it (another active instance of the same provider is deactivated)."""
    instance = get_container().providers.activate(req.route_params["instance_id"])
    return json_response(_body(instance))


@bp.function_name("deactivate_provider")
@bp.route(route="providers/{instance_id}/deactivate", methods=["POST"])
@handle_errors
def deactivate(req: func.HttpRequest) -> func.HttpResponse:
    """Deactivate it: flows can no longer call it."""
    instance = get_container().providers.deactivate(req.route_params["instance_id"])
    return json_response(_body(instance))


@bp.function_name("uninstall_provider")
@bp.route(route="providers/{instance_id}", methods=["DELETE"])
@handle_errors
def uninstall(req: func.HttpRequest) -> func.HttpResponse:
    """Remove an inactive provider."""
    get_container().providers.uninstall(req.route_params["instance_id"])
    return func.HttpResponse(status_code=204)
