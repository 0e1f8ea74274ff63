"""ASP.NET Core route templates (as used by HTTP triggers) translated to regular expressions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")
Check = Callable[[str], bool]

_CONSTRAINT = re.compile(r"(?P<name>[A-Za-z]+)(?:\((?P<arg>.*)\))?$")
_GUID = re.compile(
    r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}"
    r"|\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\))$",
    re.IGNORECASE,
)
_INTEGER = re.compile(r"^[+-]?\d+$")
# ASP.NET precedence digits: literal beats complex segment beats constrained beats plain beats *.
_LITERAL, _COMPLEX, _CONSTRAINED, _PLAIN, _CATCH_ALL = 1, 2, 3, 4, 5


class RouteError(ValueError):
    """A route template devhost cannot translate."""


def _integer_in(low: int, high: int) -> Check:
    return lambda v: bool(_INTEGER.match(v)) and low <= int(v) <= high


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _numbers(arg: str | None, count: int) -> list[int]:
    parts = [p.strip() for p in (arg or "").split(",")]
    if len(parts) != count or not all(_INTEGER.match(p) for p in parts):
        raise RouteError(f"Constraint argument {arg!r} needs {count} integer(s)")
    return [int(p) for p in parts]


def _length(arg: str | None) -> Check:
    if arg is not None and "," in arg:
        low, high = _numbers(arg, 2)
        return lambda v: low <= len(v) <= high
    (exact,) = _numbers(arg, 1)
    return lambda v: len(v) == exact


def constraint_check(text: str) -> Check:
    """A predicate for one ASP.NET route constraint such as `int` or `range(1,5)`."""
    match = _CONSTRAINT.match(text)
    name, arg = (match["name"].lower(), match["arg"]) if match else ("", None)
    simple: dict[str, Check] = {
        "int": _integer_in(-(2**31), 2**31 - 1),
        "long": _integer_in(-(2**63), 2**63 - 1),
        "alpha": lambda v: v.isascii() and v.isalpha(),
        "bool": lambda v: v.strip().lower() in ("true", "false"),
        "guid": lambda v: bool(_GUID.match(v)),
        "decimal": _is_float,
        "double": _is_float,
        "float": _is_float,
        "datetime": _is_datetime,
    }
    if name in simple and arg is None:
        return simple[name]
    if name in ("min", "max", "range"):
        bounds = _numbers(arg, 2 if name == "range" else 1)
        low = bounds[0] if name != "max" else -(2**63)
        high = bounds[-1] if name != "min" else 2**63 - 1
        return _integer_in(low, high)
    if name in ("minlength", "maxlength"):
        (limit,) = _numbers(arg, 1)
        return (lambda v: len(v) >= limit) if name == "minlength" else (lambda v: len(v) <= limit)
    if name == "length":
        return _length(arg)
    if name == "regex" and arg:
        pattern = re.compile(arg, re.IGNORECASE)
        return lambda v: bool(pattern.search(v))
    raise RouteError(f"Unsupported route constraint {text!r}")


@dataclass
class _Param:
    name: str
    checks: list[Check] = field(default_factory=list)
    optional: bool = False
    catch_all: bool = False
    default: str | None = None


def _parse_param(body: str) -> _Param:
    catch_all = body.startswith("*")
    body = body.lstrip("*")
    default = None
    if "=" in body:
        body, default = body.split("=", 1)
    optional = body.endswith("?")
    body = body.rstrip("?")
    name, *constraints = body.split(":")
    if not name.isidentifier():
        raise RouteError(f"Invalid route parameter name {name!r}")
    checks = [constraint_check(c) for c in constraints]
    return _Param(name, checks, optional or default is not None, catch_all, default)


@dataclass(frozen=True)
class CompiledRoute:
    """A template compiled to a regex, its parameters and its precedence."""

    template: str
    regex: re.Pattern[str]
    params: dict[str, _Param]
    precedence: tuple[int, ...]

    def match(self, path: str) -> dict[str, str] | None:
        """Route values (as strings) when path matches and every constraint holds."""
        found = self.regex.match(path)
        if found is None:
            return None
        values: dict[str, str] = {}
        for group, param in self.params.items():
            value = found[group]
            if value is None or (param.catch_all and value == ""):
                # Absent optional values are left out, as ASP.NET leaves them null.
                if param.default is not None:
                    values[param.name] = param.default
                continue
            if not all(check(value) for check in param.checks):
                return None
            values[param.name] = value
        return values


def _split_segment(segment: str) -> list[str]:
    """Literal text and parameter bodies, alternating; `{{` and `}}` escape braces."""
    pieces, current, index, in_param = [], "", 0, False
    while index < len(segment):
        char = segment[index]
        if segment[index : index + 2] in ("{{", "}}"):
            current, index = current + char, index + 2
            continue
        if char in "{}":
            if (char == "{") == in_param:
                raise RouteError(f"Unbalanced braces in route segment {segment!r}")
            pieces.append(current)
            current, in_param = "", not in_param
        else:
            current += char
        index += 1
    if in_param:
        raise RouteError(f"Unbalanced braces in route segment {segment!r}")
    return [*pieces, current]


def _segment(segment: str, params: dict[str, _Param]) -> tuple[str, int]:
    """The regex for one template segment (with its leading slash) and its precedence."""
    pieces = _split_segment(segment)
    if len(pieces) == 1:
        return "/" + re.escape(pieces[0]), _LITERAL
    regex, kind = "", _COMPLEX if len(pieces) > 3 or pieces[0] or pieces[-1] else 0
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            regex += re.escape(piece)
            continue
        param = _parse_param(piece)
        group = f"p{len(params)}"
        params[group] = param
        regex += f"(?P<{group}>.*)" if param.catch_all else f"(?P<{group}>[^/]+)"
        if kind == 0:
            kind = _CATCH_ALL if param.catch_all else _CONSTRAINED if param.checks else _PLAIN
            if param.optional or param.catch_all:
                return f"(?:/{regex})?", kind
    return "/" + regex, kind


def compile_template(prefix: str, template: str) -> CompiledRoute:
    """Compile `{prefix}/{template}`; literals match case-insensitively as in ASP.NET."""
    segments = [s for s in template.strip().lstrip("~").strip("/").split("/") if s]
    params: dict[str, _Param] = {}
    regex = "".join("/" + re.escape(s) for s in prefix.strip("/").split("/") if s)
    precedence = []
    for segment in segments:
        piece, kind = _segment(segment, params)
        regex += piece
        precedence.append(kind)
    compiled = re.compile(f"^{regex}/?$" if regex else "^/?$", re.IGNORECASE | re.DOTALL)
    return CompiledRoute(template, compiled, params, tuple(precedence))


@dataclass(frozen=True)
class RouteMatch(Generic[T]):
    """The outcome of routing a request: target and values, or why nothing matched."""

    target: T | None = None
    values: dict[str, str] = field(default_factory=dict)
    method_not_allowed: bool = False


@dataclass(frozen=True)
class _Entry(Generic[T]):
    route: CompiledRoute
    methods: frozenset[str] | None
    target: T


class Router(Generic[T]):
    """Routes (path, method) to targets by ASP.NET precedence; 404 vs 405 told apart."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._entries: list[_Entry[T]] = []

    def add(self, template: str, methods: Iterable[str] | None, target: T) -> None:
        """Register a target; methods None means every method."""
        route = compile_template(self._prefix, template)
        allowed = None if methods is None else frozenset(m.upper() for m in methods)
        self._entries.append(_Entry(route, allowed, target))
        self._entries.sort(key=lambda e: e.route.precedence)

    def match(self, path: str, method: str) -> RouteMatch[T]:
        """The first route matching path and method."""
        wrong_method = False
        for entry in self._entries:
            values = entry.route.match(path)
            if values is None:
                continue
            if entry.methods is not None and method.upper() not in entry.methods:
                wrong_method = True
                continue
            return RouteMatch(entry.target, values)
        return RouteMatch(method_not_allowed=wrong_method)

    @property
    def templates(self) -> Sequence[str]:
        """Registered templates, highest precedence first."""
        return [e.route.template for e in self._entries]
