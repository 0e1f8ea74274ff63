"""host.json, local.settings.json, connections and setting references (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devhost.config import (
    ConfigError,
    HostConfig,
    QueueOptions,
    apply_settings,
    host_id,
    is_disabled,
    load_host_config,
    parse_host_json,
    parse_timespan,
    read_local_settings,
    resolve_connection,
    resolve_setting_references,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("00:00:00", 0), ("00:05:00", 300), ("01:00:30", 3630), ("1.02:00:00", 93600),
     ("00:00:00.250", 0.25), ("00:10", 600)],
)  # fmt: skip
def test_timespans(text: str, seconds: float) -> None:
    assert parse_timespan(text) == seconds


def test_timespan_rejects_garbage() -> None:
    with pytest.raises(ConfigError):
        parse_timespan("five minutes")


def test_defaults_match_functions() -> None:
    config = parse_host_json({"version": "2.0"})

    assert config == HostConfig(route_prefix="api", queues=QueueOptions(), function_timeout=None)
    assert config.queues.batch_size == 16
    assert config.queues.new_batch_threshold == 8
    assert config.queues.max_dequeue_count == 5
    assert config.queues.visibility_timeout == 0
    assert config.queues.message_encoding == "base64"
    assert config.queues.max_polling_interval == 2.0  # Core Tools' local cap on the 1 min default


def test_values_are_read_case_insensitively() -> None:
    config = parse_host_json(
        {
            "functionTimeout": "00:02:00",
            "extensions": {
                "http": {"routePrefix": ""},
                "Queues": {
                    "MessageEncoding": "None",
                    "batchSize": 32,
                    "newBatchThreshold": 4,
                    "maxDequeueCount": 2,
                    "visibilityTimeout": "00:00:10",
                    "maxPollingInterval": "00:00:00.500",
                },
            },
        }
    )

    assert config.route_prefix == ""
    assert config.function_timeout == 120
    assert config.queues == QueueOptions("none", 32, 4, 2, 10.0, 0.5)


def test_polling_interval_is_capped_at_two_seconds_but_not_below_100ms() -> None:
    slow = parse_host_json({"extensions": {"queues": {"maxPollingInterval": "00:01:00"}}})
    fast = parse_host_json({"extensions": {"queues": {"maxPollingInterval": "00:00:00.010"}}})

    assert slow.queues.max_polling_interval == 2.0
    assert fast.queues.max_polling_interval == 0.1


def test_unbounded_function_timeout() -> None:
    assert parse_host_json({"functionTimeout": "-1"}).function_timeout is None


@pytest.mark.parametrize(
    "queues",
    [{"batchSize": 0}, {"batchSize": 33}, {"messageEncoding": "utf8"}, {"maxDequeueCount": "5"}],
)
def test_invalid_queue_options(queues: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        parse_host_json({"extensions": {"queues": queues}})


def test_missing_host_json_gives_defaults(tmp_path: Path) -> None:
    assert load_host_config(tmp_path) == HostConfig()


def test_local_settings_values_never_override_the_environment(tmp_path: Path) -> None:
    values = {"A": "from-file", "B": "from-file", "FLAG": True, "N": 3}
    (tmp_path / "local.settings.json").write_text(json.dumps({"Values": values}))
    env = {"A": "from-env"}

    apply_settings(read_local_settings(tmp_path), env)

    assert env == {"A": "from-env", "B": "from-file", "FLAG": "true", "N": "3"}


def test_encrypted_settings_are_refused(tmp_path: Path) -> None:
    (tmp_path / "local.settings.json").write_text('{"IsEncrypted": true, "Values": {}}')

    with pytest.raises(ConfigError):
        read_local_settings(tmp_path)


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        (None, {"AzureWebJobsStorage": "main"}, "main"),
        ("", {"AzureWebJobsStorage": "main"}, "main"),
        ("AzureWebJobsOther", {"AzureWebJobsOther": "other"}, "other"),
        ("Other", {"Other": "plain", "AzureWebJobsOther": "prefixed"}, "plain"),
        ("Other", {"AzureWebJobsOther": "prefixed"}, "prefixed"),
        ("Storage", {"AzureWebJobsStorage": "main"}, "main"),
    ],
)
def test_connection_resolution(setting: str | None, env: dict[str, str], expected: str) -> None:
    assert resolve_connection(setting, env) == expected


def test_missing_connection_names_the_settings_tried() -> None:
    with pytest.raises(ConfigError, match="Other or AzureWebJobsOther"):
        resolve_connection("Other", {})


def test_setting_references() -> None:
    env = {"QUEUE": "orders", "ENV": "dev"}

    assert resolve_setting_references("%QUEUE%-%ENV%", env) == "orders-dev"
    assert resolve_setting_references("plain", env) == "plain"
    with pytest.raises(ConfigError):
        resolve_setting_references("%MISSING%", env)


@pytest.mark.parametrize(
    ("value", "disabled"),
    [("true", True), ("True", True), ("1", True), ("false", False), ("0", False), ("", False)],
)
def test_disabled_setting(value: str, disabled: bool) -> None:
    assert is_disabled("Fn", {"AzureWebJobs.Fn.Disabled": value}) is disabled


def test_host_id_setting_or_slug(tmp_path: Path) -> None:
    app_dir = tmp_path / "My_Order Hub!"
    app_dir.mkdir()

    assert host_id(app_dir, {"AzureFunctionsWebHost__hostid": "fixed"}) == "fixed"
    assert host_id(app_dir, {}) == "my-order-hub"
