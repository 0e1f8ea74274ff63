"""Function, host and master key checks (pure)."""

from __future__ import annotations

import pytest
from azure.functions import AuthLevel

from devhost.auth import KeyRing

KEYS = KeyRing.from_settings(
    {
        "FUNCTIONS_MASTER_KEY": "master",
        "FUNCTIONS_HOST_KEY": "host",
        "FUNCTIONS_KEY_Orders": "orders",
        "FUNCTIONS_KEY_Other": "other",
    }
)


@pytest.mark.parametrize(
    ("level", "key", "allowed"),
    [
        (AuthLevel.ANONYMOUS, None, True),
        (AuthLevel.FUNCTION, None, False),
        (AuthLevel.FUNCTION, "", False),
        (AuthLevel.FUNCTION, "orders", True),
        (AuthLevel.FUNCTION, "host", True),
        (AuthLevel.FUNCTION, "master", True),
        (AuthLevel.FUNCTION, "other", False),
        (AuthLevel.FUNCTION, "ORDERS", False),
        (AuthLevel.ADMIN, "host", False),
        (AuthLevel.ADMIN, "orders", False),
        (AuthLevel.ADMIN, "master", True),
        ("function", "orders", True),
        (None, None, False),
    ],
)
def test_levels_with_keys_configured(
    level: AuthLevel | str | None, key: str | None, allowed: bool
) -> None:
    assert KEYS.allows(level, "Orders", key) is allowed


def test_everything_open_without_keys() -> None:
    keys = KeyRing.from_settings({})

    assert keys.allows(AuthLevel.FUNCTION, "Orders", None)
    assert keys.allows(AuthLevel.ADMIN, "Orders", None)


def test_only_a_function_key_for_another_function_leaves_this_one_open() -> None:
    keys = KeyRing.from_settings({"FUNCTIONS_KEY_Other": "other"})

    assert keys.allows(AuthLevel.FUNCTION, "Orders", None)
    assert not keys.allows(AuthLevel.FUNCTION, "Other", None)


def test_empty_settings_count_as_unset() -> None:
    keys = KeyRing.from_settings({"FUNCTIONS_HOST_KEY": "", "FUNCTIONS_MASTER_KEY": ""})

    assert keys.allows(AuthLevel.FUNCTION, "Orders", None)
