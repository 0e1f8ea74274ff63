"""A short-lived cache of the sync maps, so an order save does not read the maps table each time.

Every OrderChanged runs the order through the maps; reading them from storage on each message
would add a table query to every order write. Edits made through this process drop the cache at
once; edits made by another instance are seen within `ttl` (the API answers from storage).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from domain.sync.maps import SyncMap
from services.ports import Clock
from services.sync.ports import StoredMap, SyncMapStore

DEFAULT_TTL = timedelta(seconds=30)


class CachedSyncMapStore:
    """A SyncMapStore that answers `all()` from memory for `ttl` after reading it."""

    def __init__(self, inner: SyncMapStore, clock: Clock, ttl: timedelta = DEFAULT_TTL) -> None:
        self._inner = inner
        self._clock = clock
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple[datetime, list[StoredMap]] | None = None

    def all(self) -> list[StoredMap]:
        """The current version of every map, at most `ttl` old."""
        now = self._clock.now()
        with self._lock:
            if self._cached is not None and now - self._cached[0] < self._ttl:
                return list(self._cached[1])
        maps = self._inner.all()
        with self._lock:
            self._cached = (now, maps)
        return list(maps)

    def get(self, name: str) -> StoredMap | None:
        """The current version of one map, from storage (the API shows the stored truth)."""
        return self._inner.get(name)

    def versions(self, name: str) -> list[SyncMap]:
        """Every stored version of a map, oldest first."""
        return self._inner.versions(name)

    def save(self, stored: StoredMap) -> StoredMap:
        """Store a new version and forget the cached maps."""
        try:
            return self._inner.save(stored)
        finally:
            self.invalidate()

    def invalidate(self) -> None:
        """Read the maps from storage on the next `all()`."""
        with self._lock:
            self._cached = None
