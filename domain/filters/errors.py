"""The error a $filter expression raises when it does not parse."""

from __future__ import annotations

from domain.errors import DomainError

_EXCERPT = 30


class FilterSyntaxError(DomainError):
    """A $filter expression that does not parse, with the 0-based position of the problem."""

    def __init__(self, reason: str, expression: str, position: int) -> None:
        self.reason = reason
        self.expression = expression
        self.position = position
        super().__init__(f"{reason} at position {position}: {_excerpt(expression, position)}")

    def __reduce__(self) -> tuple[type[FilterSyntaxError], tuple[str, str, int]]:
        return type(self), (self.reason, self.expression, self.position)


def _excerpt(expression: str, position: int) -> str:
    """The text from the position on, shortened, so long API input stays out of messages."""
    rest = expression[position:]
    if not rest:
        return "end of input"
    if len(rest) > _EXCERPT:
        return repr(rest[:_EXCERPT]) + "..."
    return repr(rest)
