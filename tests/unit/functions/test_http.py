import json

import azure.functions as func
import pytest
from pydantic import BaseModel, ValidationError

from functions._http import error_response, handle_errors
from services.errors import ConcurrencyConflict, ConfigurationError, StorageUnavailable


class Line(BaseModel):
    quantity: int


def validation_error() -> ValidationError:
    try:
        Line(quantity="many")  # type: ignore[arg-type]
    except ValidationError as err:
        return err
    raise AssertionError("expected a validation error")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ConcurrencyConflict("order o-1 changed"), 409),
        (StorageUnavailable("table timed out"), 503),
        (ConfigurationError("AzureWebJobsStorage is required"), 503),
    ],
)
def test_application_errors_map_to_their_status(error, status):
    response = error_response(error)
    assert response.status_code == status
    assert json.loads(response.get_body())["error"] == {
        "code": type(error).__name__, "message": str(error), "field": None,
    }  # fmt: skip


def test_validation_errors_name_the_field():
    response = error_response(validation_error())
    body = json.loads(response.get_body())
    assert response.status_code == 400
    assert body["error"]["code"] == "InvalidRequest"
    assert body["error"]["field"] == "quantity"
    assert body["error"]["message"].startswith("quantity: Input should be a valid integer")


def test_unexpected_errors_are_500_with_a_correlation_id_and_no_details(caplog):
    response = error_response(RuntimeError("secret connection string"))
    body = json.loads(response.get_body())
    assert response.status_code == 500
    assert "secret" not in response.get_body().decode()
    assert body["error"]["correlationId"] in caplog.text


def test_handle_errors_wraps_a_trigger():
    @handle_errors
    def trigger(req: func.HttpRequest) -> func.HttpResponse:
        raise ConcurrencyConflict("stale")

    request = func.HttpRequest(method="GET", url="http://localhost/api/x", body=b"")
    assert trigger(request).status_code == 409
