"""The optimum of one order by MILP (scipy.optimize.milp, HiGHS), solved lexicographically:
first the most units that can be filled, then the least cost at that fill."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from bench.dom.model import Assignment, OrderView

FILL_SLACK = 1e-6  # phase 2 keeps phase 1's fill up to solver tolerance
SPECK = 1e-4


@dataclass(frozen=True)
class Layout:
    """Variable layout: x (line, source) quantities, then z (source open), then y (line uses
    source, only with a per-line limit)."""

    pairs: list[tuple[int, str]]
    opened: list[str]
    with_y: bool

    @property
    def size(self) -> int:
        """Number of variables."""
        return len(self.pairs) * (2 if self.with_y else 1) + len(self.opened)

    def z(self, sid: str) -> int:
        """Column of the source's open variable."""
        return len(self.pairs) + self.opened.index(sid)

    def y(self, k: int) -> int:
        """Column of pair k's use variable."""
        return len(self.pairs) + len(self.opened) + k


def solve(view: OrderView) -> Assignment:
    """Optimal assignment of the order under the view's strategy."""
    layout = _layout(view)
    if not layout.pairs:
        return [[] for _ in view.lines]
    rows, lower, upper = _constraints(view, layout)
    bounds = _bounds(view, layout)
    integrality = np.zeros(layout.size)
    integrality[len(layout.pairs) :] = 1
    fill = np.zeros(layout.size)
    fill[: len(layout.pairs)] = -1.0
    first = _run(fill, rows, lower, upper, bounds, integrality)
    best = -float(fill @ first)
    rows.append(-fill)
    lower.append(best - FILL_SLACK)
    upper.append(np.inf)
    cost = np.zeros(layout.size)
    for k, (_, sid) in enumerate(layout.pairs):
        cost[k] = view.distance[sid]
    for sid in layout.opened:
        cost[layout.z(sid)] = view.penalty
    second = _run(cost, rows, lower, upper, bounds, integrality)
    result: Assignment = [[] for _ in view.lines]
    for k, (i, sid) in enumerate(layout.pairs):
        # Solver tolerances leave specks (1e-7) on closed sources; quantities are whole here.
        if second[k] > SPECK:
            result[i].append((sid, round(float(second[k]), 6)))
    return result


def _layout(view: OrderView) -> Layout:
    pairs = [
        (i, sid)
        for i, (product, _) in enumerate(view.lines)
        for sid in view.sources
        if view.stock.get((sid, product), 0) > 0
    ]
    opened = sorted({sid for _, sid in pairs})
    return Layout(pairs, opened, view.line_limit is not None)


def _cap(view: OrderView, i: int, sid: str) -> float:
    product, quantity = view.lines[i]
    return min(quantity, view.stock[(sid, product)])


def _bounds(view: OrderView, layout: Layout) -> Bounds:
    upper = np.ones(layout.size)
    for k, (i, sid) in enumerate(layout.pairs):
        upper[k] = _cap(view, i, sid)
    return Bounds(np.zeros(layout.size), upper)


def _constraints(
    view: OrderView, layout: Layout
) -> tuple[list[np.ndarray], list[float], list[float]]:
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(coefficients: dict[int, float], high: float) -> None:
        row = np.zeros(layout.size)
        for column, value in coefficients.items():
            row[column] = value
        rows.append(row)
        lower.append(-np.inf)
        upper.append(high)

    for i, (_, quantity) in enumerate(view.lines):
        add({k: 1.0 for k, (j, _) in enumerate(layout.pairs) if j == i}, quantity)
    for (sid, product), stock in view.stock.items():
        share = [
            k for k, (i, s) in enumerate(layout.pairs) if s == sid and view.lines[i][0] == product
        ]
        if len(share) > 1:
            add(dict.fromkeys(share, 1.0), stock)
    for k, (i, sid) in enumerate(layout.pairs):
        add({k: 1.0, layout.z(sid): -_cap(view, i, sid)}, 0.0)
        if layout.with_y:
            add({k: 1.0, layout.y(k): -_cap(view, i, sid)}, 0.0)
    if view.order_limit is not None:
        add({layout.z(sid): 1.0 for sid in layout.opened}, float(view.order_limit))
    if layout.with_y and view.line_limit is not None:
        for i in range(len(view.lines)):
            uses = {layout.y(k): 1.0 for k, (j, _) in enumerate(layout.pairs) if j == i}
            add(uses, float(view.line_limit))
    return rows, lower, upper


def _run(
    objective: np.ndarray,
    rows: list[np.ndarray],
    lower: list[float],
    upper: list[float],
    bounds: Bounds,
    integrality: np.ndarray,
) -> np.ndarray:
    constraints = LinearConstraint(np.array(rows), lower, upper)
    options = {"mip_rel_gap": 1e-9, "time_limit": 30.0}
    result = milp(
        objective, constraints=constraints, bounds=bounds, integrality=integrality, options=options
    )
    if result.x is None:
        # HiGHS presolve sometimes reports a feasible phase 2 infeasible; solve it without.
        options["presolve"] = False
        result = milp(
            objective,
            constraints=constraints,
            bounds=bounds,
            integrality=integrality,
            options=options,
        )
    if result.x is None:
        raise RuntimeError(f"MILP failed: {result.message}")
    return np.asarray(result.x)
