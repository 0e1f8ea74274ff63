"""Errors the domain raises for broken rules or invalid input."""


class DomainError(Exception):
    """Base of errors for broken domain rules or invalid domain input."""
