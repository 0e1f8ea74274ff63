import json

import azure.functions as func
import pytest

from bootstrap.container import reset_container
from functions.health import health


@pytest.fixture(autouse=True)
def fresh_container():
    reset_container()
    yield
    reset_container()


def test_health_is_503_naming_the_missing_setting(monkeypatch):
    monkeypatch.delenv("AzureWebJobsStorage", raising=False)
    request = func.HttpRequest(method="GET", url="http://localhost/api/health", body=b"")

    response = health(request)

    assert response.status_code == 503
    body = json.loads(response.get_body())
    assert body["status"] == "unhealthy"
    assert "AzureWebJobsStorage is required" in body["reason"]
