"""Errors the domain raises for broken rules or invalid input."""

from dataclasses import dataclass


class DomainError(Exception):
    """Base of errors for broken domain rules or invalid domain input."""


class NotPermitted(DomainError):
    """The record's state forbids the change (a published flow edited, a shipped line canceled)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: the field (dotted path) and why."""

    field: str
    message: str


class InvalidDefinition(DomainError):
    """A policy or flow definition that cannot be stored or published; lists every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems
