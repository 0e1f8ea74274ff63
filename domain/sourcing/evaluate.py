"""Score open sets of sources fast: per-product results, memoised, and moves scored as deltas.

Without a binding daily capacity, a product's lines depend on the open set only through the
sources that hold the product, so each product's result is memoised on that part of the mask,
and a move (open, close or swap a source) re-scores only the products those sources hold.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from domain.sourcing.assign import assign
from domain.sourcing.problem import Need, Problem

FLOAT_TOL = 1e-9


class Score(NamedTuple):
    """How good an open set is; `used` is the mask of sources that received stock."""

    filled: float
    cost: float  # distance x quantity plus the penalty for sources the order did not use yet
    allocations: int
    used: int
    mask: int  # the open set that was scored


class Evaluator(Protocol):
    """Scores open sets; `rebase` tells it the set that moves are now made from."""

    def score(self, mask: int) -> Score:
        """Score of an open set."""
        ...

    def rebase(self, mask: int) -> None:
        """Make `mask` the base that later scores are computed relative to."""
        ...

    def idle(self, source: int) -> bool:
        """True when opening the source on top of the base would change nothing."""
        ...


Part = tuple[float, float, int, int]  # filled, cost, allocations, mask of sources used


def bits(mask: int) -> list[int]:
    """Indices of the set bits, lowest first."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


class Grouped:
    """Evaluator for problems without a binding daily capacity (products are independent)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.groups: list[list[Need]] = [[] for _ in problem.stock]
        for need in problem.needs:
            self.groups[need.product].append(need)
        self.rows = [tuple((s, float(q)) for s, q in row) for row in problem.stock]
        self.demand = [sum(float(n.quantity) for n in group) for group in self.groups]
        self.limited = [any(n.limit is not None for n in group) for group in self.groups]
        self.holders = [sum(1 << s for s, _ in row) for row in problem.stock]
        self.products_of = [0] * problem.size  # per source: mask of the products it holds
        for product, row in enumerate(problem.stock):
            for source, _ in row:
                self.products_of[source] |= 1 << product
        self.memo: list[dict[int, Part]] = [{} for _ in problem.stock]
        self.rebase(0)

    def rebase(self, mask: int) -> None:
        """Recompute every product's part for the new base open set."""
        self.base = mask
        self.parts = [self._part(p, mask) for p in range(len(self.groups))]
        self.filled = sum(part[0] for part in self.parts)
        self.cost = sum(part[1] for part in self.parts)
        self.count = sum(part[2] for part in self.parts)
        self.used = 0
        for part in self.parts:
            self.used |= part[3]

    def score(self, mask: int) -> Score:
        """Score of `mask`, re-scoring only the products whose holders changed."""
        affected = 0
        for source in bits(self.base ^ mask):
            affected |= self.products_of[source]
        filled, cost, count = self.filled, self.cost, self.count
        lost = now = 0
        for product in bits(affected):
            old, new = self.parts[product], self._part(product, mask)
            filled += new[0] - old[0]
            cost += new[1] - old[1]
            count += new[2] - old[2]
            lost |= old[3] & ~new[3]
            now |= new[3]
        used = self.used | now
        for source in bits(lost & ~now):
            # Still used if a product the move does not touch ships from it.
            untouched = bits(self.products_of[source] & ~affected)
            if not any(self.parts[p][3] >> source & 1 for p in untouched):
                used &= ~(1 << source)
        return Score(filled, cost + penalty(self.problem, used), count, used, mask)

    def idle(self, source: int) -> bool:
        """Opening a source changes nothing when each of its products is filled from
        nearer sources (per-line limits pick sources otherwise, so those never count)."""
        for product in bits(self.products_of[source]):
            filled, _, _, used = self.parts[product]
            if self.limited[product] or filled < self.demand[product] - FLOAT_TOL:
                return False
            if used.bit_length() - 1 > source:
                return False
        return True

    def _part(self, product: int, mask: int) -> Part:
        key = mask & self.holders[product]
        part = self.memo[product].get(key)
        if part is None:
            part = self.memo[product][key] = self._fill(product, key)
        return part

    def _fill(self, product: int, mask: int) -> Part:
        needs = self.groups[product]
        distances = self.problem.distances
        if not self.limited[product]:
            return _nearest_first(self.rows[product], distances, mask, self.demand[product])
        if len(needs) == 1 and needs[0].limit == 1:
            return _best_single(self.rows[product], distances, mask, self.demand[product])
        stock = {product: dict(self.rows[product])}
        quantities = [float(need.quantity) for need in needs]
        takes = assign(self.problem, needs, mask, quantities, stock, FLOAT_TOL)
        return _summed(self.problem, takes)


def _nearest_first(
    row: tuple[tuple[int, float], ...], distances: tuple[float, ...], mask: int, demand: float
) -> Part:
    missing, cost, count, used = demand, 0.0, 0, 0
    for source, left in row:
        if missing <= FLOAT_TOL:
            break
        if mask >> source & 1:
            take = left if left < missing else missing
            missing -= take
            cost += take * distances[source]
            count += 1
            used |= 1 << source
    return demand - missing, cost, count, used


def _best_single(
    row: tuple[tuple[int, float], ...], distances: tuple[float, ...], mask: int, demand: float
) -> Part:
    """One line kept at one source: the most units, then the nearest (as `assign` picks)."""
    best, most = -1, 0.0
    for source, left in row:
        take = left if left < demand else demand
        if mask >> source & 1 and take > most + FLOAT_TOL:
            best, most = source, take
    if best < 0:
        return 0.0, 0.0, 0, 0
    return most, most * distances[best], 1, 1 << best


def _summed(problem: Problem, takes: list[list[tuple[int, float]]]) -> Part:
    filled = cost = 0.0
    count = used = 0
    for line in takes:
        for source, take in line:
            filled += take
            cost += take * problem.distances[source]
            used |= 1 << source
        count += len(line)
    return filled, cost, count, used


class Sequential:
    """Evaluator for a binding daily capacity, which couples every line: scores whole sets."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.quantities = [float(need.quantity) for need in problem.needs]
        self.rows = {p: {s: float(q) for s, q in row} for p, row in enumerate(problem.stock)}

    def rebase(self, mask: int) -> None:
        """Nothing to keep: every score is computed from scratch."""

    def score(self, mask: int) -> Score:
        """Assign every line in order and sum up."""
        stock = {p: dict(row) for p, row in self.rows.items()}
        problem = self.problem
        takes = assign(problem, list(problem.needs), mask, self.quantities, stock, FLOAT_TOL)
        filled, cost, count, used = _summed(problem, takes)
        return Score(filled, cost + penalty(problem, used), count, used, mask)

    def idle(self, source: int) -> bool:  # noqa: ARG002 - the protocol's signature
        """Never sure: capacity couples every line."""
        return False


def penalty(problem: Problem, used: int) -> float:
    """Extra-source penalty for the sources the order does not already ship from."""
    return problem.penalty * (used & ~problem.free).bit_count()


def evaluator(problem: Problem) -> Evaluator:
    """The fastest evaluator that is exact for the problem."""
    return Grouped(problem) if problem.separable else Sequential(problem)
