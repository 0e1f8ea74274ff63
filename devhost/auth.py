"""Function, host and master keys from app settings, checked like the Functions host."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from azure.functions import AuthLevel
from werkzeug.wrappers import Request

KEY_HEADER = "x-functions-key"
KEY_QUERY = "code"
MASTER_KEY_SETTING = "FUNCTIONS_MASTER_KEY"
HOST_KEY_SETTING = "FUNCTIONS_HOST_KEY"
FUNCTION_KEY_PREFIX = "FUNCTIONS_KEY_"


def function_key_setting(function_name: str) -> str:
    """The app setting holding a function's own key."""
    return FUNCTION_KEY_PREFIX + function_name


@dataclass(frozen=True)
class KeyRing:
    """Configured keys. With none configured a level is open, as Core Tools runs locally."""

    master: str | None
    host: str | None
    functions: Mapping[str, str]

    @classmethod
    def from_settings(cls, env: Mapping[str, str]) -> KeyRing:
        """Read FUNCTIONS_MASTER_KEY, FUNCTIONS_HOST_KEY and FUNCTIONS_KEY_<name>."""
        functions = {
            name[len(FUNCTION_KEY_PREFIX) :]: value
            for name, value in env.items()
            if name.startswith(FUNCTION_KEY_PREFIX) and value
        }
        return cls(
            env.get(MASTER_KEY_SETTING) or None, env.get(HOST_KEY_SETTING) or None, functions
        )

    def accepted(self, level: AuthLevel | str | None, function_name: str) -> list[str]:
        """Keys that open a function at this level; empty means no key is needed."""
        level_name = str(level.value if isinstance(level, AuthLevel) else level or "").lower()
        if level_name == AuthLevel.ANONYMOUS.value:
            return []
        candidates = [self.master]
        if level_name != AuthLevel.ADMIN.value:
            candidates += [self.functions.get(function_name), self.host]
        return [key for key in candidates if key]

    def allows(self, level: AuthLevel | str | None, function_name: str, given: str | None) -> bool:
        """Whether the presented key (or none) satisfies the level for this function."""
        keys = self.accepted(level, function_name)
        if not keys:
            return True
        if not given:
            return False
        # Check every key in constant time so timing does not reveal which one is close.
        matches = [hmac.compare_digest(given.encode(), key.encode()) for key in keys]
        return any(matches)


def presented_key(request: Request) -> str | None:
    """The key sent in the x-functions-key header, else in ?code=."""
    return request.headers.get(KEY_HEADER) or request.args.get(KEY_QUERY) or None
