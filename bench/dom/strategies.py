"""The strategies the benchmark compares, all with hard constraints so one optimum exists."""

from __future__ import annotations

from decimal import Decimal

from domain.inventory.sources import FulfillmentSource, SourceList
from domain.sourcing import Constraint, ConstraintKind, Strategy

K = ConstraintKind


def strategies(sources: list[FulfillmentSource]) -> list[Strategy]:
    """Nearest (no penalty), consolidating, at most 2 sources, one source per line, regional."""
    every = SourceList(name="All sites", source_ids=[s.source_id for s in sources])

    def make(name: str, penalty: int, *constraints: Constraint) -> Strategy:
        return Strategy(
            name=name,
            source_list=every,
            constraints=list(constraints),
            extra_source_penalty=Decimal(penalty),
        )

    return [
        make("nearest", 0),
        make("consolidate", 500),
        make("max-2-sources", 100, Constraint(kind=K.MAX_SOURCES_PER_ORDER, value=2)),
        make("line-at-one-source", 100, Constraint(kind=K.MAX_SOURCES_PER_LINE, value=1)),
        make("regional-400km", 100, Constraint(kind=K.MAX_DISTANCE, value=Decimal(400))),
    ]
