"""Splits a $filter expression into tokens and decodes its literals."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

from domain.filters.errors import FilterSyntaxError
from domain.filters.nodes import FilterValue, Op

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*", re.ASCII)
_STRING = re.compile(r"'((?:[^']|'')*+)'")
_NUMBER_TEXT = re.compile(r"-?\d(?:[\w.]|(?<=[eE])[+-])*", re.ASCII)
_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([lLdDmM]?)", re.ASCII)
_GUID_TEXT = r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}"
GUID = re.compile(_GUID_TEXT)
_BARE_GUID = re.compile(_GUID_TEXT + r"(?![\w/-])")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)
_OPERATORS = frozenset(op.value for op in Op)
_KEYWORDS = {"and", "or", "not", "null", "true", "false", *_OPERATORS}
_WORD_CONSTANTS: dict[str, FilterValue] = {"null": None, "true": True, "false": False}
_TYPED_PREFIXES = {"datetime", "datetimeoffset", "guid"}


class Kind(Enum):
    """What a token is."""

    LPAREN = "("
    RPAREN = ")"
    AND = "and"
    OR = "or"
    NOT = "not"
    OP = "comparison operator"
    FIELD = "field"
    CONSTANT = "literal"
    END = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    """One token; `value` holds a decoded literal, `text` the source text."""

    kind: Kind
    text: str
    position: int
    value: FilterValue = None


def tokenize(expression: str) -> list[Token]:
    """Return the tokens of an expression, ending with an END token."""
    tokens: list[Token] = []
    position = _skip_space(expression, 0)
    while position < len(expression):
        token, position = _next_token(expression, position)
        tokens.append(token)
        position = _skip_space(expression, position)
    tokens.append(Token(Kind.END, "", len(expression)))
    return tokens


def _skip_space(expression: str, position: int) -> int:
    match = _SPACE.match(expression, position)
    return match.end() if match else position


def _next_token(text: str, position: int) -> tuple[Token, int]:
    char = text[position]
    if char in "()":
        return Token(Kind(char), char, position), position + 1
    if char == "'":
        return _string(text, position)
    if guid := _BARE_GUID.match(text, position):
        return _constant(guid.group(), position, UUID(guid.group())), guid.end()
    if number := _NUMBER_TEXT.match(text, position):
        return _number(text, number)
    if word := _WORD.match(text, position):
        return _word(text, position, word.group())
    raise FilterSyntaxError(f"unexpected character {char!r}", text, position)


def _constant(text: str, position: int, value: FilterValue) -> Token:
    return Token(Kind.CONSTANT, text, position, value)


def _string(text: str, position: int) -> tuple[Token, int]:
    match = _STRING.match(text, position)
    if match is None:
        raise FilterSyntaxError("unterminated string literal", text, position)
    value = match.group(1).replace("''", "'")
    return _constant(match.group(), position, value), match.end()


def _word(text: str, position: int, word: str) -> tuple[Token, int]:
    end = position + len(word)
    if word in _TYPED_PREFIXES and text.startswith("'", end):
        return _typed_literal(text, position, word)
    if word in _WORD_CONSTANTS:
        return _constant(word, position, _WORD_CONSTANTS[word]), end
    if word in _OPERATORS:
        return Token(Kind.OP, word, position), end
    if word in _KEYWORDS:
        return Token(Kind(word), word, position), end
    if word.lower() in _KEYWORDS:
        raise FilterSyntaxError(f"keywords are lower-case: write {word.lower()!r}", text, position)
    return Token(Kind.FIELD, word, position), end


def _typed_literal(text: str, position: int, prefix: str) -> tuple[Token, int]:
    quoted, end = _string(text, position + len(prefix))
    body = str(quoted.value)
    if prefix == "guid":
        if not GUID.fullmatch(body):
            raise FilterSyntaxError("invalid guid literal", text, position)
        value: FilterValue = UUID(body)
    else:
        value = _datetime(body, text, position)
    return _constant(text[position:end], position, value), end


def _datetime(body: str, text: str, position: int) -> datetime:
    if _DATETIME.fullmatch(body):
        try:
            return datetime.fromisoformat(body)
        except ValueError:
            pass
    raise FilterSyntaxError("invalid datetime literal", text, position)


def _number(text: str, match: re.Match[str]) -> tuple[Token, int]:
    parsed = _NUMBER.fullmatch(match.group())
    value = _number_value(*parsed.groups()) if parsed else None
    if value is None:
        raise FilterSyntaxError("invalid number literal", text, match.start())
    return _constant(match.group(), match.start(), value), match.end()


def _number_value(digits: str, suffix: str) -> int | float | Decimal | None:
    """The literal's value: bare integers are int, `L` Int64, `d` or a fraction float, `m` Decimal.

    None when the suffix does not fit the digits or the value is out of range.
    """
    if suffix in ("m", "M"):
        return Decimal(digits)
    is_integer = digits.lstrip("-").isdigit()
    if suffix in ("l", "L"):
        number = int(digits) if is_integer else None
        return number if number is not None and INT64_MIN <= number <= INT64_MAX else None
    if is_integer and not suffix:
        return int(digits)
    double = float(digits)
    return double if math.isfinite(double) else None
