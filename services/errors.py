"""Application errors raised by services and by adapters on their behalf."""


class ApplicationError(Exception):
    """Base of every error the application raises on purpose."""


class ConcurrencyConflict(ApplicationError):
    """Someone else changed the record first (stale ETag, or it vanished); reload and retry."""


class EntityAlreadyExists(ConcurrencyConflict):
    """An insert found the key taken: the work was already done, or someone raced us to it."""


class StorageUnavailable(ApplicationError):
    """Storage failed in a way worth retrying later (timeouts, 5xx, throttling)."""


class ConfigurationError(ApplicationError):
    """A required setting is missing or invalid."""
