"""host.json and local.settings.json: host options, app settings and connection resolution."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

STORAGE_SETTING = "AzureWebJobsStorage"
# Core Tools caps the idle queue backoff at 2 s locally, whatever the 1-minute production default.
LOCAL_MAX_POLLING_INTERVAL = 2.0
MIN_POLLING_INTERVAL = 0.1
DEFAULT_SHUTDOWN_TIMEOUT = 300.0

MessageEncoding = Literal["base64", "none"]


class ConfigError(Exception):
    """host.json, local.settings.json or an app setting is missing or invalid."""


@dataclass(frozen=True)
class QueueOptions:
    """The `extensions.queues` section of host.json, with Functions' defaults."""

    message_encoding: MessageEncoding = "base64"
    batch_size: int = 16
    new_batch_threshold: int = 8
    max_dequeue_count: int = 5
    visibility_timeout: float = 0.0
    max_polling_interval: float = LOCAL_MAX_POLLING_INTERVAL


@dataclass(frozen=True)
class HostConfig:
    """What devhost needs from host.json."""

    route_prefix: str = "api"
    queues: QueueOptions = field(default_factory=QueueOptions)
    function_timeout: float | None = None


_TIMESPAN = re.compile(r"^(?:(?P<d>\d+)\.)?(?P<h>\d+):(?P<m>\d+)(?::(?P<s>\d+(?:\.\d+)?))?$")


def parse_timespan(text: str) -> float:
    """Seconds in a .NET TimeSpan string such as "00:05:00" or "1.02:00:00"."""
    match = _TIMESPAN.match(text.strip())
    if match is None:
        raise ConfigError(f"Invalid TimeSpan {text!r}; expected [d.]hh:mm[:ss[.fff]]")
    days = int(match["d"] or 0)
    hours, minutes = int(match["h"]), int(match["m"])
    seconds = float(match["s"] or 0)
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def _get(section: Mapping[str, Any], key: str) -> Any:
    """A case-insensitive lookup, as the .NET configuration binder does."""
    for name, value in section.items():
        if name.lower() == key.lower():
            return value
    return None


def _section(section: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = _get(section, key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"host.json: '{key}' must be an object")
    return value


def _int_option(section: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = _get(section, key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"host.json: queues.{key} must be an integer in {low}..{high}")
    return value


def _timespan_option(section: Mapping[str, Any], key: str) -> float | None:
    value = _get(section, key)
    return None if value is None else parse_timespan(str(value))


def parse_queue_options(queues: Mapping[str, Any]) -> QueueOptions:
    """QueueOptions from an `extensions.queues` object."""
    encoding = str(_get(queues, "messageEncoding") or "base64").lower()
    if encoding not in ("base64", "none"):
        raise ConfigError("host.json: queues.messageEncoding must be 'base64' or 'none'")
    batch_size = _int_option(queues, "batchSize", 16, 1, 32)
    polling = _timespan_option(queues, "maxPollingInterval")
    max_polling = LOCAL_MAX_POLLING_INTERVAL if polling is None else polling
    return QueueOptions(
        message_encoding="base64" if encoding == "base64" else "none",
        batch_size=batch_size,
        new_batch_threshold=_int_option(queues, "newBatchThreshold", batch_size // 2, 0, 1000),
        max_dequeue_count=_int_option(queues, "maxDequeueCount", 5, 1, 1000),
        visibility_timeout=_timespan_option(queues, "visibilityTimeout") or 0.0,
        max_polling_interval=max(
            MIN_POLLING_INTERVAL, min(max_polling, LOCAL_MAX_POLLING_INTERVAL)
        ),
    )


def _function_timeout(raw: Any) -> float | None:
    # "-1" means unbounded in Functions (dedicated plans).
    if raw is None or str(raw).strip() == "-1":
        return None
    return parse_timespan(str(raw))


def parse_host_json(data: Mapping[str, Any]) -> HostConfig:
    """HostConfig from the parsed host.json document."""
    extensions = _section(data, "extensions")
    http = _section(extensions, "http")
    prefix = _get(http, "routePrefix")
    return HostConfig(
        route_prefix="api" if prefix is None else str(prefix).strip("/"),
        queues=parse_queue_options(_section(extensions, "queues")),
        function_timeout=_function_timeout(_get(data, "functionTimeout")),
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object")
    return data


def load_host_config(app_dir: Path) -> HostConfig:
    """Read app_dir/host.json (defaults when the file is absent)."""
    path = app_dir / "host.json"
    return parse_host_json(_read_json(path)) if path.exists() else HostConfig()


def _setting_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_local_settings(app_dir: Path) -> dict[str, str]:
    """The `Values` of app_dir/local.settings.json, as strings ({} when absent)."""
    path = app_dir / "local.settings.json"
    if not path.exists():
        return {}
    data = _read_json(path)
    if data.get("IsEncrypted") is True:
        raise ConfigError(f"{path} is encrypted; devhost reads plain settings only")
    values = data.get("Values") or {}
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: 'Values' must be an object")
    return {str(k): _setting_text(v) for k, v in values.items() if v is not None}


def apply_settings(values: Mapping[str, str], env: MutableMapping[str, str]) -> None:
    """Copy settings into env; variables already set win, as in Core Tools."""
    for name, value in values.items():
        env.setdefault(name, value)


def connection_candidates(setting: str | None) -> list[str]:
    """App-setting names tried for a binding's `connection`, in order."""
    if not setting:
        return [STORAGE_SETTING]
    if setting.startswith("AzureWebJobs"):
        return [setting]
    return [setting, "AzureWebJobs" + setting]


def resolve_connection(setting: str | None, env: Mapping[str, str] | None = None) -> str:
    """The connection string a binding's `connection` app-setting name points to."""
    source = os.environ if env is None else env
    names = connection_candidates(setting)
    for name in names:
        value = source.get(name)
        if value:
            return value
    raise ConfigError(f"Storage connection not found: set app setting {' or '.join(names)}")


_SETTING_REFERENCE = re.compile(r"%([^%]+)%")


def resolve_setting_references(text: str, env: Mapping[str, str] | None = None) -> str:
    """Replace `%Name%` binding expressions with app settings, as Functions does."""
    source = os.environ if env is None else env

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name not in source:
            raise ConfigError(f"App setting {name!r} (referenced as %{name}%) is not set")
        return source[name]

    return _SETTING_REFERENCE.sub(value, text)


def is_disabled(function_name: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether `AzureWebJobs.<name>.Disabled` (or its Linux `_` form) is true or 1."""
    source = os.environ if env is None else env
    for name in (
        f"AzureWebJobs.{function_name}.Disabled",
        f"AzureWebJobs_{function_name}_Disabled",
    ):
        if source.get(name, "").strip().lower() in ("true", "1"):
            return True
    return False


def host_id(app_dir: Path, env: Mapping[str, str] | None = None) -> str:
    """The host id: `AzureFunctionsWebHost__hostid`, else a slug of the app folder name."""
    source = os.environ if env is None else env
    configured = source.get("AzureFunctionsWebHost__hostid")
    if configured:
        return configured
    # Functions host ids are lowercase alphanumerics and dashes, at most 32 characters.
    slug = re.sub(r"[^a-z0-9]+", "-", app_dir.resolve().name.lower()).strip("-")
    return (slug or "devhost")[:32].rstrip("-")


def shutdown_timeout(config: HostConfig) -> float:
    """How long a graceful stop waits for in-flight invocations."""
    return config.function_timeout or DEFAULT_SHUTDOWN_TIMEOUT
