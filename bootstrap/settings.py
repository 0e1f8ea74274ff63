"""The app's one typed settings object, read from the environment (app settings)."""

from __future__ import annotations

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.errors import ConfigurationError


class Settings(BaseSettings):
    """App settings; names are the app-setting names used in Azure and local.settings.json."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", populate_by_name=True)

    storage_connection: str = Field(validation_alias="AzureWebJobsStorage", min_length=1)
    outbox_sweep_grace_seconds: int = Field(
        default=60, ge=0, le=86_400, validation_alias="OUTBOX_SWEEP_GRACE_SECONDS"
    )
    outbox_sweep_limit: int = Field(
        default=500, ge=1, le=5000, validation_alias="OUTBOX_SWEEP_LIMIT"
    )
    provider_retry_base_seconds: int = Field(
        default=5, ge=1, le=300, validation_alias="PROVIDER_RETRY_BASE_SECONDS"
    )
    outbox_index_shards: int = Field(default=8, ge=1, le=64, validation_alias="OUTBOX_INDEX_SHARDS")


def load_settings() -> Settings:
    """Read settings from the environment, failing fast with every bad setting named."""
    try:
        return Settings()  # type: ignore[call-arg]  # values come from the environment
    except ValidationError as err:
        problems = [_describe(error) for error in err.errors()]
        raise ConfigurationError("invalid app settings: " + "; ".join(problems)) from None


def _describe(error: object) -> str:
    details = error if isinstance(error, dict) else {}
    name = ".".join(str(part) for part in details.get("loc", ())) or "?"
    if details.get("type") == "missing":
        return f"{name} is required but not set"
    return f"{name}: {details.get('msg', 'invalid')}"
