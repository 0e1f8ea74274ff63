"""The Functions app: creates the FunctionApp and registers the blueprints, nothing else."""

import azure.functions as func

from functions import health, outbox

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(health.bp)
app.register_functions(outbox.bp)
