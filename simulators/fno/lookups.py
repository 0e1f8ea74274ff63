"""Which stored rows a `$filter` can select, found from the store's keys instead of a scan.

The hub's sync finds a record by its key (`dataAreaId eq 'usmf' and SalesOrderNumber eq 'SO-1'`,
with `and LineCreationSequenceNumber eq 2` for a CDS line) and reads an order's lines by their
header's key. F&O answers those from an index, and so does the simulator: when the filter's
top-level `and` requires the key (or the order, for lines) to equal literals, only the rows with
those values are candidates. This only narrows. The data service still runs the whole filter,
the company rule, ordering and paging over the candidates, so the answer is byte for byte the
one a scan of every row gives. The lookup is exact because the filter language compares strings
by code point, case and all: `dataAreaId eq 'USMF'` selects nothing (the store keeps company ids
in lower case), here as in a scan.
"""

from __future__ import annotations

from domain.filters import FilterSyntaxError, FilterValue, compile_filter
from domain.filters.nodes import And, Comparison, Constant, Expr, FieldRef, Op
from simulators.fno.entities import EntitySet
from simulators.fno.fields import Entity
from simulators.fno.store import FnoStore
from simulators.fno.wire import to_hub_filter


def candidates(store: FnoStore, entity_set: EntitySet, expression: str | None) -> list[Entity]:
    """The stored rows the filter could select, in store order; call under the store's lock."""
    required = _required(expression, entity_set) if expression else {}
    narrowed: list[Entity] | None = None
    if entity_set.kind == "header":
        narrowed = _headers(store, required)
    elif entity_set.kind == "line":
        narrowed = _lines(store, required)
    return _every(store, entity_set.kind) if narrowed is None else narrowed


def _required(expression: str, entity_set: EntitySet) -> dict[str, FilterValue]:
    """The `field eq literal` terms every selected row must satisfy, by field (first wins)."""
    try:
        root = compile_filter(to_hub_filter(expression)).root  # cached: paging compiles it again
    except FilterSyntaxError:
        return {}  # the full filter run reports it
    required: dict[str, FilterValue] = {}
    for term in root.operands if isinstance(root, And) else (root,):
        equality = _equality(term)
        # A renamed property shows another stored value under its name: not the stored key.
        if equality is not None and equality[0] not in entity_set.renames:
            required.setdefault(*equality)
    return required


def _equality(term: Expr) -> tuple[str, FilterValue] | None:
    """(field, literal) when the term is `field eq literal` or `literal eq field`."""
    if not isinstance(term, Comparison) or term.op is not Op.EQ:
        return None
    match term.left, term.right:
        case (FieldRef(name), Constant(value)) | (Constant(value), FieldRef(name)):
            return name, value
    return None


def _headers(store: FnoStore, required: dict[str, FilterValue]) -> list[Entity] | None:
    area, number = _text(required, "dataAreaId"), _text(required, "SalesOrderNumber")
    if area is None or number is None:
        return None
    return _present(store.headers.get((area, number)))


def _lines(store: FnoStore, required: dict[str, FilterValue]) -> list[Entity] | None:
    area = _text(required, "dataAreaId")
    if area is None:
        return None
    lot = _text(required, "InventoryLotId")
    if lot is not None:
        return _present(store.lines.get((area, lot)))
    number = _text(required, "SalesOrderNumber")
    if number is None:
        return None
    sequence = required.get("LineCreationSequenceNumber")
    if type(sequence) is int:  # not bool (compares only with bool), nor 2.0 (left to the filter)
        return _present(store.find_line_at(area, number, sequence))
    return store.order_lines(area, number)


def _text(required: dict[str, FilterValue], name: str) -> str | None:
    """The string a key field must equal; None for other literals (a GUID ignores case)."""
    value = required.get(name)
    return value if isinstance(value, str) else None


def _present(row: Entity | None) -> list[Entity]:
    return [] if row is None else [row]


def _every(store: FnoStore, kind: str) -> list[Entity]:
    if kind == "header":
        return list(store.headers.values())
    if kind == "line":
        return list(store.lines.values())
    return list(store.invoices)
