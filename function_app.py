"""The Functions app: creates the FunctionApp and registers the blueprints, nothing else."""

import azure.functions as func

from functions import (
    configuration,
    erp_pollers,
    errors,
    events,
    fulfillment,
    health,
    inventory,
    jobs,
    openapi,
    orchestration,
    orders,
    outbox,
    providers,
    purchasing,
    settings,
    sync,
    webhooks,
)

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
for blueprint in (
    health.bp, outbox.bp, orders.bp, orchestration.bp, configuration.bp, errors.bp,
    inventory.bp, fulfillment.bp, purchasing.bp, settings.bp, jobs.bp, providers.bp, events.bp,
    erp_pollers.bp, webhooks.bp, sync.bp, openapi.bp,
):  # fmt: skip
    app.register_functions(blueprint)
