import pytest

from bootstrap.settings import load_settings
from services.errors import ConfigurationError


def test_reads_app_settings_with_defaults(monkeypatch):
    monkeypatch.setenv("AzureWebJobsStorage", "UseDevelopmentStorage=true")
    monkeypatch.delenv("OUTBOX_SWEEP_GRACE_SECONDS", raising=False)
    monkeypatch.setenv("OUTBOX_SWEEP_LIMIT", "50")
    settings = load_settings()
    assert settings.storage_connection == "UseDevelopmentStorage=true"
    assert (settings.outbox_sweep_grace_seconds, settings.outbox_sweep_limit) == (60, 50)


def test_missing_storage_connection_fails_fast_naming_the_setting(monkeypatch):
    monkeypatch.delenv("AzureWebJobsStorage", raising=False)
    with pytest.raises(ConfigurationError, match="AzureWebJobsStorage is required but not set"):
        load_settings()


def test_invalid_values_are_all_named(monkeypatch):
    monkeypatch.setenv("AzureWebJobsStorage", "UseDevelopmentStorage=true")
    monkeypatch.setenv("OUTBOX_SWEEP_GRACE_SECONDS", "-1")
    monkeypatch.setenv("OUTBOX_SWEEP_LIMIT", "many")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert "OUTBOX_SWEEP_GRACE_SECONDS" in str(raised.value)
    assert "OUTBOX_SWEEP_LIMIT" in str(raised.value)
