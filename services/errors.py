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


class NotFound(ApplicationError):
    """The record asked for does not exist (HTTP 404)."""


class InvalidInput(ApplicationError):
    """Input that passed parsing but breaks a business rule; `field` names it (HTTP 400)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(ApplicationError):
    """The request is well-formed but the record's state forbids it; `field` names why (409)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
