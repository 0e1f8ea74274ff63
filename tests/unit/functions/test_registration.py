import azure.functions as func
import pytest
from croniter import croniter

import function_app

EXPECTED_HTTP = {
    # name: (route, methods, auth level)
    "health": ("health", ["GET"], func.AuthLevel.ANONYMOUS),
    "list_pending_outbox": ("outbox/pending", ["GET"], func.AuthLevel.FUNCTION),
    "place_order": ("orders", ["POST"], func.AuthLevel.FUNCTION),
    "list_orders": ("orders", ["GET"], func.AuthLevel.FUNCTION),
    "get_order": ("orders/{order_id}", ["GET"], func.AuthLevel.FUNCTION),
    "get_order_timeline": ("orders/{order_id}/timeline", ["GET"], func.AuthLevel.FUNCTION),
    "reprocess_order": ("orders/{order_id}/reprocess", ["POST"], func.AuthLevel.FUNCTION),
    "cancel_order": ("orders/{order_id}/cancel", ["POST"], func.AuthLevel.FUNCTION),
    "create_policy": ("policies", ["POST"], func.AuthLevel.FUNCTION),
    "list_policies": ("policies", ["GET"], func.AuthLevel.FUNCTION),
    "get_policy": ("policies/{policy_id}", ["GET"], func.AuthLevel.FUNCTION),
    "edit_policy": ("policies/{policy_id}", ["PUT"], func.AuthLevel.FUNCTION),
    "delete_policy": ("policies/{policy_id}", ["DELETE"], func.AuthLevel.FUNCTION),
    "publish_policy": ("policies/{policy_id}/publish", ["POST"], func.AuthLevel.FUNCTION),
    "unpublish_policy": ("policies/{policy_id}/unpublish", ["POST"], func.AuthLevel.FUNCTION),
    "list_policy_versions": ("policies/{policy_id}/versions", ["GET"], func.AuthLevel.FUNCTION),
    "rollback_policy": ("policies/{policy_id}/rollback", ["POST"], func.AuthLevel.FUNCTION),
    "create_flow": ("flows", ["POST"], func.AuthLevel.FUNCTION),
    "list_flows": ("flows", ["GET"], func.AuthLevel.FUNCTION),
    "get_flow": ("flows/{flow_id}", ["GET"], func.AuthLevel.FUNCTION),
    "edit_flow": ("flows/{flow_id}", ["PUT"], func.AuthLevel.FUNCTION),
    "delete_flow": ("flows/{flow_id}", ["DELETE"], func.AuthLevel.FUNCTION),
    "publish_flow": ("flows/{flow_id}/publish", ["POST"], func.AuthLevel.FUNCTION),
    "unpublish_flow": ("flows/{flow_id}/unpublish", ["POST"], func.AuthLevel.FUNCTION),
    "list_errors": ("errors", ["GET"], func.AuthLevel.FUNCTION),
    "get_openapi": ("openapi.json", ["GET"], func.AuthLevel.ANONYMOUS),
    "update_stock": ("inventory/{source_id}/{product_id}", ["PUT"], func.AuthLevel.FUNCTION),
    "get_stock": ("inventory/{product_id}", ["GET"], func.AuthLevel.FUNCTION),
    "create_source": ("sources", ["POST"], func.AuthLevel.FUNCTION),
    "list_sources": ("sources", ["GET"], func.AuthLevel.FUNCTION),
    "get_source": ("sources/{source_id}", ["GET"], func.AuthLevel.FUNCTION),
    "replace_source": ("sources/{source_id}", ["PUT"], func.AuthLevel.FUNCTION),
    "delete_source": ("sources/{source_id}", ["DELETE"], func.AuthLevel.FUNCTION),
    "create_source_list": ("source-lists", ["POST"], func.AuthLevel.FUNCTION),
    "list_source_lists": ("source-lists", ["GET"], func.AuthLevel.FUNCTION),
    "get_source_list": ("source-lists/{name}", ["GET"], func.AuthLevel.FUNCTION),
    "replace_source_list": ("source-lists/{name}", ["PUT"], func.AuthLevel.FUNCTION),
    "delete_source_list": ("source-lists/{name}", ["DELETE"], func.AuthLevel.FUNCTION),
    "plan_fulfillment": ("fulfillment/plan", ["POST"], func.AuthLevel.FUNCTION),
    "create_strategy": ("strategies", ["POST"], func.AuthLevel.FUNCTION),
    "list_strategies": ("strategies", ["GET"], func.AuthLevel.FUNCTION),
    "get_strategy": ("strategies/{name}", ["GET"], func.AuthLevel.FUNCTION),
    "replace_strategy": ("strategies/{name}", ["PUT"], func.AuthLevel.FUNCTION),
    "delete_strategy": ("strategies/{name}", ["DELETE"], func.AuthLevel.FUNCTION),
    "create_purchase_order": ("purchase-orders", ["POST"], func.AuthLevel.FUNCTION),
    "list_purchase_orders": ("purchase-orders", ["GET"], func.AuthLevel.FUNCTION),
    "get_purchase_order": ("purchase-orders/{po_id}", ["GET"], func.AuthLevel.FUNCTION),
    "edit_purchase_order": ("purchase-orders/{po_id}", ["PUT"], func.AuthLevel.FUNCTION),
    "mirror_purchase_order_status": (
        "purchase-orders/{po_id}/status",
        ["POST"],
        func.AuthLevel.FUNCTION,
    ),
    "post_purchase_order_receipt": (
        "purchase-orders/{po_id}/receipts",
        ["POST"],
        func.AuthLevel.FUNCTION,
    ),
    "get_incoming_supply": ("products/{product_id}/incoming", ["GET"], func.AuthLevel.FUNCTION),
    "create_transfer_order": ("transfer-orders", ["POST"], func.AuthLevel.FUNCTION),
    "list_transfer_orders": ("transfer-orders", ["GET"], func.AuthLevel.FUNCTION),
    "get_transfer_order": ("transfer-orders/{to_id}", ["GET"], func.AuthLevel.FUNCTION),
    "ship_transfer_order": ("transfer-orders/{to_id}/ship", ["POST"], func.AuthLevel.FUNCTION),
    "receive_transfer_order": (
        "transfer-orders/{to_id}/receive",
        ["POST"],
        func.AuthLevel.FUNCTION,
    ),
    "list_provider_catalog": ("providers/catalog", ["GET"], func.AuthLevel.FUNCTION),
    "install_provider": ("providers", ["POST"], func.AuthLevel.FUNCTION),
    "list_providers": ("providers", ["GET"], func.AuthLevel.FUNCTION),
    "get_provider": ("providers/{instance_id}", ["GET"], func.AuthLevel.FUNCTION),
    "activate_provider": ("providers/{instance_id}/activate", ["POST"], func.AuthLevel.FUNCTION),
    "deactivate_provider": (
        "providers/{instance_id}/deactivate",
        ["POST"],
        func.AuthLevel.FUNCTION,
    ),
    "uninstall_provider": ("providers/{instance_id}", ["DELETE"], func.AuthLevel.FUNCTION),
    "receive_provider_event": ("events/{provider}", ["POST"], func.AuthLevel.FUNCTION),
    "receive_bigcommerce_webhook": ("webhooks/bigcommerce", ["POST"], func.AuthLevel.ANONYMOUS),
    "get_order_handling": ("settings/order-handling", ["GET"], func.AuthLevel.FUNCTION),
    "set_order_handling": ("settings/order-handling", ["PUT"], func.AuthLevel.FUNCTION),
    "list_job_runs": ("jobs/{job}/runs", ["GET"], func.AuthLevel.FUNCTION),
    "run_backorder_release": ("jobs/backorder-release/run", ["POST"], func.AuthLevel.FUNCTION),
    "run_sales_totals": ("jobs/sales-totals/run", ["POST"], func.AuthLevel.FUNCTION),
    "receive_sync_change": ("sync/changes/{system}", ["POST"], func.AuthLevel.FUNCTION),
    "start_initial_sync": ("sync/initial-sync", ["POST"], func.AuthLevel.FUNCTION),
    "sync_one_order": ("sync/orders/{order_id}", ["POST"], func.AuthLevel.FUNCTION),
    "list_sync_maps": ("sync/maps", ["GET"], func.AuthLevel.FUNCTION),
    "get_sync_map": ("sync/maps/{name}", ["GET"], func.AuthLevel.FUNCTION),
    "edit_sync_map": ("sync/maps/{name}", ["PUT"], func.AuthLevel.FUNCTION),
    "enable_sync_map": ("sync/maps/{name}/enable", ["POST"], func.AuthLevel.FUNCTION),
    "disable_sync_map": ("sync/maps/{name}/disable", ["POST"], func.AuthLevel.FUNCTION),
    "list_sync_map_versions": ("sync/maps/{name}/versions", ["GET"], func.AuthLevel.FUNCTION),
}
EXPECTED_TIMERS = {
    # name: (schedule, run on startup)
    "sweep_outbox": ("0 * * * * *", False),
    "release_backorders": ("0 */5 * * * *", False),
    "pull_fno_orders": ("0 */2 * * * *", False),
    "poll_sap_invoices": ("30 */2 * * * *", False),
    "reconcile_storefront": ("0 */2 * * * *", False),
    "calculate_sales_totals": ("30 */5 * * * *", False),
    "poll_sync_targets": ("15 */2 * * * *", False),
}
EXPECTED_QUEUES = {
    # name: (queue, connection setting)
    "run_flow_step": ("orchestration-steps", "AzureWebJobsStorage"),
    "fail_poisoned_flow_step": ("orchestration-steps-poison", "AzureWebJobsStorage"),
    "apply_provider_event": ("provider-events", "AzureWebJobsStorage"),
    "take_storefront_order": ("storefront-orders", "AzureWebJobsStorage"),
    "on_order_changed": ("order-changes", "AzureWebJobsStorage"),
    "apply_sync_change": ("sync-inbound", "AzureWebJobsStorage"),
    "continue_initial_sync": ("sync-initial", "AzureWebJobsStorage"),
}


@pytest.fixture(scope="module")
def functions():
    function_app.app.functions_bindings = None  # get_functions() may run once per app otherwise
    return {f.get_function_name(): f for f in function_app.app.get_functions()}


def test_every_function_is_expected(functions):
    assert set(functions) == set(EXPECTED_HTTP) | set(EXPECTED_TIMERS) | set(EXPECTED_QUEUES)


@pytest.mark.parametrize("name", sorted(EXPECTED_HTTP))
def test_http_trigger_settings(functions, name):
    route, methods, auth_level = EXPECTED_HTTP[name]
    trigger = functions[name].get_trigger()
    assert trigger.type == "httpTrigger"
    assert trigger.route == route
    assert [str(m) for m in trigger.methods] == methods
    assert trigger.auth_level == auth_level


@pytest.mark.parametrize("name", sorted(EXPECTED_TIMERS))
def test_timer_trigger_settings(functions, name):
    schedule, run_on_startup = EXPECTED_TIMERS[name]
    trigger = functions[name].get_trigger()
    assert trigger.type == "timerTrigger"
    assert trigger.schedule == schedule
    assert trigger.run_on_startup == run_on_startup
    assert croniter.is_valid(schedule, second_at_beginning=True)


@pytest.mark.parametrize("name", sorted(EXPECTED_QUEUES))
def test_queue_trigger_settings(functions, name):
    queue, connection = EXPECTED_QUEUES[name]
    trigger = functions[name].get_trigger()
    assert trigger.type == "queueTrigger"
    assert trigger.queue_name == queue
    assert trigger.connection == connection


def test_exactly_one_function_app_at_module_level():
    registers = [v for v in vars(function_app).values() if isinstance(v, func.FunctionRegister)]
    assert registers == [function_app.app]
