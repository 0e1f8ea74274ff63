"""Unique ids per test, so integration tests never need to wipe storage."""

import uuid


def random_id(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def random_name(prefix: str = "t") -> str:
    """A name valid as both a table name (alphanumeric) and a queue name (lowercase)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"
