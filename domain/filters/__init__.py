"""The one filter language of the hub: OData `$filter`, as Table Storage and Dataverse write it.

Policy conditions and dual-write sync filters both compile with `compile_filter` and test records
with `Filter.matches`. A record is a flat mapping of field name to value; a `/` path such as
`order/msdyn_company` is just the key "order/msdyn_company", which lets a line's condition read
its order's fields once the caller flattens them in under that prefix.

Syntax (see `parser` for the grammar): comparisons `eq ne gt ge lt le`, `and`, `or`, `not`,
parentheses, with precedence `not` > `and` > `or`; keywords are lower-case only. Literals: `null`,
`true`, `false`, `'it''s'`, `123`, `-5`, `123L`, `1.5`, `1e3`, `1.5d`, `1.5m` (Decimal),
`datetime'2008-07-10T00:00:00Z'` (or `datetimeoffset'...'`), `guid'...'` and a bare GUID as
Dataverse writes lookups. Either side of a comparison may be the literal.

Semantics (see `evaluator`): a missing field is null; `ne` is true against null and on type
mismatches, every other operator false (Dataverse, unlike Table Storage where a missing property
never matches); numbers compare across int, float and Decimal; bool only with bool.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from domain.filters.errors import FilterSyntaxError
from domain.filters.evaluator import evaluate
from domain.filters.nodes import Expr, FilterValue
from domain.filters.parser import parse

__all__ = ["Filter", "FilterSyntaxError", "FilterValue", "compile_filter"]


@dataclass(frozen=True)
class Filter:
    """A compiled filter expression: its text, the fields it reads, and its parsed tree."""

    expression: str
    fields: frozenset[str]
    root: Expr = field(repr=False)

    def matches(self, record: Mapping[str, FilterValue]) -> bool:
        """True when the record satisfies the filter."""
        return evaluate(self.root, record)


@lru_cache(maxsize=1024)
def compile_filter(expression: str) -> Filter:
    """Parse an expression once (results are cached by text); raise FilterSyntaxError if invalid."""
    root, fields = parse(expression)
    return Filter(expression, fields, root)
