import azure.functions as func
import pytest
from croniter import croniter

import function_app

EXPECTED_HTTP = {
    # name: (route, methods, auth level)
    "health": ("health", ["GET"], func.AuthLevel.ANONYMOUS),
    "list_pending_outbox": ("outbox/pending", ["GET"], func.AuthLevel.FUNCTION),
}
EXPECTED_TIMERS = {
    # name: (schedule, run on startup)
    "sweep_outbox": ("0 * * * * *", False),
}


@pytest.fixture(scope="module")
def functions():
    function_app.app.functions_bindings = None  # get_functions() may run once per app otherwise
    return {f.get_function_name(): f for f in function_app.app.get_functions()}


def test_every_function_is_expected(functions):
    assert set(functions) == set(EXPECTED_HTTP) | set(EXPECTED_TIMERS)


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


def test_exactly_one_function_app_at_module_level():
    registers = [v for v in vars(function_app).values() if isinstance(v, func.FunctionRegister)]
    assert registers == [function_app.app]
