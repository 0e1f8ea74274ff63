"""A sync map as data: entities, source filter, column maps with dual-write symbols, value maps.

Orientation: `source` is the hub's side (Dataverse `salesorders`), `target` the other system
(F&O `CDS sales order headers`). Symbols follow dual-write, read from source to target: `=`
two-way, `>` one-way to target, `<` one-way back to source, `><` two-way with a transform,
`>>` / `<<` one-way with a transform. A transform is a value map or a named pure function.
Validation errors name the field with a dotted path such as `columns.3.symbol`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.filters import FilterSyntaxError, compile_filter

Symbol = Literal["=", ">", "<", "><", ">>", "<<"]
JsonScalar = bool | int | str | None
Side = Literal["source", "target"]

FORWARD_SYMBOLS: frozenset[str] = frozenset({"=", ">", "><", ">>"})
BACK_SYMBOLS: frozenset[str] = frozenset({"=", "<", "><", "<<"})
TRANSFORM_SYMBOLS: frozenset[str] = frozenset({"><", ">>", "<<"})


class SyncMapError(ValueError):
    """A sync map that does not parse or validate; the message names each failing field."""


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValueMap(_Data):
    """Source value -> target value pairs; the defaults stand in for blank (or unknown) values."""

    name: str = Field(min_length=1)
    pairs: list[tuple[JsonScalar, JsonScalar]]
    default: JsonScalar = None
    default_back: JsonScalar = None
    on_unknown: Literal["error", "default", "pass"] = "error"
    reversible: bool = True
    case_insensitive: bool = False

    @model_validator(mode="after")
    def _unique(self) -> ValueMap:
        sources = [self._key(source) for source, _ in self.pairs]
        if len(set(sources)) != len(sources):
            raise ValueError("pairs: a source value appears twice")
        targets = [self._key(target) for _, target in self.pairs]
        if self.reversible and len(set(targets)) != len(targets):
            raise ValueError("pairs: a target value appears twice in a reversible value map")
        return self

    def _key(self, value: object) -> object:
        if self.case_insensitive and isinstance(value, str):
            return value.casefold()
        return value


class ColumnMap(_Data):
    """One column pair: source field, symbol, target field, optional transform and default."""

    source: str = Field(min_length=1)
    symbol: Symbol
    target: str = Field(min_length=1)
    value_map: str | None = None
    transform: str | None = None
    transform_back: str | None = None
    default: JsonScalar = None
    owner: Side | None = None  # who wins when both sides changed it; None takes the map's owner

    @property
    def forward(self) -> bool:
        """True when the column flows from source to target."""
        return self.symbol in FORWARD_SYMBOLS

    @property
    def back(self) -> bool:
        """True when the column flows from target back to source."""
        return self.symbol in BACK_SYMBOLS


class SyncMap(_Data):
    """A dual-write table map between a source entity and a target entity."""

    name: str = Field(min_length=1)
    source_system: Literal["hub"] = "hub"
    target_system: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9]*$")  # provider, e.g. fno
    source_entity: str = Field(min_length=1)
    target_entity: str = Field(min_length=1)
    template: str | None = None  # e.g. a Prospect-to-cash template name
    task: str | None = None  # the template's task (OrderHeader, OrderLine)
    parent: str | None = None  # the header map a line map belongs to
    enabled: bool = True
    version: int = Field(ge=1)
    source_filter: str | None = None
    target_filter: str | None = None  # target records that may create hub records (create_back)
    owner: Side = "target"  # default owner of two-way columns in a conflict
    create_back: bool = False  # may an unlinked target record create a hub record
    key_fields: list[str] = Field(min_length=1)
    columns: list[ColumnMap] = Field(min_length=1)
    value_maps: list[ValueMap] = Field(default_factory=list)
    defaults_to_target: dict[str, JsonScalar] = Field(default_factory=dict)
    defaults_to_source: dict[str, JsonScalar] = Field(default_factory=dict)

    @field_validator("source_filter", "target_filter")
    @classmethod
    def _filter_compiles(cls, expression: str | None) -> str | None:
        if expression is not None:
            try:
                compile_filter(expression)
            except FilterSyntaxError as error:
                raise ValueError(f"not a valid filter: {error}") from error
        return expression

    @model_validator(mode="after")
    def _consistent(self) -> SyncMap:
        problems = _problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def value_map(self, name: str) -> ValueMap:
        """The value map of that name."""
        for value_map in self.value_maps:
            if value_map.name == name:
                return value_map
        raise KeyError(name)


def _problems(sync_map: SyncMap) -> list[str]:
    problems: list[str] = []
    names = [value_map.name for value_map in sync_map.value_maps]
    if len(set(names)) != len(names):
        problems.append("value_maps: two value maps share a name")
    sources = {column.source for column in sync_map.columns}
    for key in sync_map.key_fields:
        if key not in sources:
            problems.append(f"key_fields: {key!r} is not a source column")
    forward_targets: set[str] = set()
    back_sources: set[str] = set()
    for index, column in enumerate(sync_map.columns):
        path = f"columns.{index}"
        problems.extend(_column_problems(path, column, names))
        if column.forward:
            if column.target in forward_targets:
                problems.append(f"{path}.target: {column.target!r} is written twice forward")
            forward_targets.add(column.target)
        if column.back:
            if column.source in back_sources:
                problems.append(f"{path}.source: {column.source!r} is written twice back")
            back_sources.add(column.source)
        reversible = column.value_map not in names or _reversible(sync_map, column.value_map)
        if column.back and not reversible:
            problems.append(f"{path}.value_map: {column.value_map!r} is not reversible")
    return problems


def _reversible(sync_map: SyncMap, name: str | None) -> bool:
    return name is None or sync_map.value_map(name).reversible


def _column_problems(path: str, column: ColumnMap, names: list[str]) -> list[str]:
    problems: list[str] = []
    if column.value_map is not None and column.value_map not in names:
        problems.append(f"{path}.value_map: no value map named {column.value_map!r}")
    if column.symbol not in TRANSFORM_SYMBOLS:
        for attribute in ("transform", "transform_back"):
            if getattr(column, attribute) is not None:
                problems.append(f"{path}.symbol: {column.symbol!r} takes no {attribute}")
        return problems
    if column.value_map is not None:
        if column.transform is not None or column.transform_back is not None:
            problems.append(f"{path}.value_map: a column takes a value map or transforms")
        return problems
    needs = {"><": ("transform", "transform_back"), ">>": ("transform",), "<<": ("transform_back",)}
    for attribute in ("transform", "transform_back"):
        present = getattr(column, attribute) is not None
        if attribute in needs[column.symbol] and not present:
            problems.append(f"{path}.{attribute}: {column.symbol!r} needs one (or a value map)")
        if attribute not in needs[column.symbol] and present:
            problems.append(f"{path}.{attribute}: {column.symbol!r} takes none")
    return problems


def parse_map(name: str, text: str) -> SyncMap:
    """Parse one map's JSON text; raise SyncMapError naming the file and each failing field."""
    try:
        return SyncMap.model_validate_json(text)
    except ValidationError as error:
        details = []
        for item in error.errors():
            location = ".".join(str(part) for part in item["loc"])
            message = str(item["msg"]).removeprefix("Value error, ")
            details.append(f"{location}: {message}" if location else message)
        raise SyncMapError(f"{name}: " + "; ".join(details)) from None


def load_maps(files: Iterable[tuple[str, str]]) -> list[SyncMap]:
    """Parse (name, JSON text) pairs the caller read; names must be unique across maps."""
    maps = [parse_map(name, text) for name, text in files]
    seen: set[str] = set()
    for sync_map in maps:
        if sync_map.name in seen:
            raise SyncMapError(f"two maps are named {sync_map.name!r}")
        seen.add(sync_map.name)
    return maps
