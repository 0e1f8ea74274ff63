"""Random ids for new policies and flows."""

from __future__ import annotations

import uuid


class UuidGenerator:
    """Implements IdGenerator with random (version 4) UUIDs."""

    def new_id(self) -> str:
        """A new random UUID in canonical form."""
        return str(uuid.uuid4())
