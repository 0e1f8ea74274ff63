"""Aggregate per-order outcomes into the figures the benchmark prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from bench.dom.model import Outcome

FILL_TOL = 1e-3  # solver tolerance; quantities are whole units


@dataclass(frozen=True)
class Run:
    """One solver's outcomes on a strategy, with planning times in seconds (same order)."""

    name: str
    outcomes: list[Outcome]
    seconds: list[float]
    lines: list[int]  # lines per order, to report 20-line orders apart


def p95(values: Sequence[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else 0.0


def summary(run: Run, count: int) -> list[str]:
    """One table row for the first `count` orders of the run."""
    outs, secs = run.outcomes[:count], run.seconds[:count]
    widest = [s for s, n in zip(secs, run.lines[:count], strict=True) if n == max(run.lines)]
    return [
        run.name,
        f"{sum(o.cost for o in outs):,.0f}",
        f"{sum(o.unfilled for o in outs):,.0f}",
        f"{fmean(o.sources for o in outs):.2f}",
        f"{fmean(o.split_lines for o in outs):.2f}",
        str(sum(o.breaks_limits for o in outs)),
        f"{fmean(secs) * 1e3:.2f} / {p95(secs) * 1e3:.2f}",
        f"{fmean(widest) * 1e3:.2f} / {p95(widest) * 1e3:.2f}" if widest else "-",
    ]


HEADER = [
    "solver",
    "total cost",
    "unfilled",
    "sources/order",
    "split lines/order",
    "over limits",
    "ms mean / p95",
    "20-line ms mean / p95",
]


def table(rows: list[list[str]]) -> str:
    """A Markdown table."""
    widths = [max(len(row[c]) for row in [HEADER, *rows]) for c in range(len(HEADER))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(HEADER), rule, *(line(r) for r in rows)])


def ratios(ours: Run, other: Run, count: int) -> str:
    """Cost ratio of ours to another solver over the first `count` orders, and fill compared."""
    mine, theirs = ours.outcomes[:count], other.outcomes[:count]
    cost = sum(o.cost for o in mine) / max(1e-9, sum(o.cost for o in theirs))
    pairs = list(zip(mine, theirs, strict=True))
    fewer = sum(1 for a, b in pairs if a.filled < b.filled - FILL_TOL)
    more = sum(1 for a, b in pairs if a.filled > b.filled + FILL_TOL)
    same = [(a, b) for a, b in pairs if abs(a.filled - b.filled) <= FILL_TOL]
    worst = max((a.cost / b.cost for a, b in same if b.cost > 1e-9), default=1.0)
    return (
        f"ours / {other.name}: cost ratio {cost:.4f}; orders where ours fills more {more}, "
        f"fewer {fewer}; worst per-order cost ratio at equal fill {worst:.4f}"
    )
