"""The Functions app: creates the FunctionApp and registers the blueprints, nothing else."""

import azure.functions as func

from functions import configuration, errors, health, openapi, orchestration, orders, outbox

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(health.bp)
app.register_functions(outbox.bp)
app.register_functions(orders.bp)
app.register_functions(orchestration.bp)
app.register_functions(configuration.bp)
app.register_functions(errors.bp)
app.register_functions(openapi.bp)
