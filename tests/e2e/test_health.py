import httpx
import pytest

from tests.support.azurite import ROOT, connection_string, free_port
from tests.support.host_process import start_host

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_health_answers_200_when_storage_answers(app_host):
    response = httpx.get(f"{app_host.base_url}/api/health", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert {"kind": "table", "name": "OutboxIndex", "ok": True, "detail": ""} in body["checks"]


def test_health_answers_503_with_a_reason_when_storage_is_down(tmp_path):

    dead = connection_string(free_port(), free_port(), free_port())  # nothing listens there
    host = start_host(ROOT, {"AzureWebJobsStorage": dead}, tmp_path / "host.log")
    try:
        response = httpx.get(f"{host.base_url}/api/health", timeout=60)
    finally:
        host.stop()
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["reason"]
