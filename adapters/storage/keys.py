"""PartitionKey/RowKey formats: reversible escaping, validation and composite keys.

Table Storage forbids `/ \\ # ?` and the control characters U+0000-U+001F and U+007F-U+009F in
keys. `escape_key` writes each of them, the escape char `%` and the composite separator `|` as
`%XX` (two upper-case hex digits), so any text becomes a valid key and `unescape_key` restores it.
"""

from __future__ import annotations

import re

from adapters.storage.entities import MAX_KEY_CHARS, StorageLimitExceeded

SEPARATOR = "|"
_FORBIDDEN = re.compile(r"[/\\#?\x00-\x1f\x7f-\x9f]")
_ESCAPED = re.compile(r"[/\\#?\x00-\x1f\x7f-\x9f%|]")
_ESCAPE = re.compile(r"%([0-9A-F]{2})")


def escape_key(value: str) -> str:
    """Make any text a valid key part; reversible with `unescape_key`."""
    return _ESCAPED.sub(lambda m: f"%{ord(m.group()):02X}", value)


def unescape_key(key: str) -> str:
    """Undo `escape_key`; raises ValueError on a `%` that does not start an escape."""
    if "%" in _ESCAPE.sub("", key):
        raise ValueError(f"not an escaped key: {key!r}")
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), key)


def key_length(key: str) -> int:
    """Length as the service counts it: UTF-16 code units."""
    return len(key.encode("utf-16-le")) // 2


def validate_key(key: str) -> str:
    """Return the key unchanged, or raise StorageLimitExceeded if the service would refuse it."""
    if not isinstance(key, str):
        raise StorageLimitExceeded(f"a key must be a string, not {type(key).__name__}")
    if (found := _FORBIDDEN.search(key)) is not None:
        raise StorageLimitExceeded(f"key {key!r} holds the forbidden character {found.group()!r}")
    if key_length(key) > MAX_KEY_CHARS:
        raise StorageLimitExceeded(f"key is longer than {MAX_KEY_CHARS} characters")
    return key


def join_key(*parts: str) -> str:
    """Build a composite key from parts, each escaped so `|` only ever separates them."""
    return SEPARATOR.join(escape_key(part) for part in parts)


def split_key(key: str) -> list[str]:
    """The parts of a key built by `join_key`."""
    return [unescape_key(part) for part in key.split(SEPARATOR)]


def prefix_range(*parts: str) -> tuple[str, str]:
    """(from, before) RowKey bounds covering every `join_key(*parts, ...)` with more parts."""
    prefix = join_key(*parts) + SEPARATOR
    return prefix, prefix[:-1] + chr(ord(SEPARATOR) + 1)
