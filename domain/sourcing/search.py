"""Choose which sources to open: a greedy start, then drop/add/swap local search.

An order has one ship-to, so each source has one distance and a pass is a small
facility-location problem: open a set of sources, fill lines nearest-first from them, and score
the set lexicographically (filled units, then distance x quantity plus the extra-source
penalty, then fewer allocations, then source priority and id).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cmp_to_key

from domain.sourcing.assign import assign
from domain.sourcing.evaluate import Evaluator, Score, bits, evaluator
from domain.sourcing.problem import Problem

FILL_TOL = 1e-9  # units
COST_TOL = 1e-6  # km x units
MAX_ROUNDS = 64  # local search settles in a handful of rounds; this bounds the worst case
EXCHANGE_DEPTH = 6  # sources one exchange may close
STARTS = 4  # greedy starts under a per-order source limit


class _Search:
    """One search: the problem, a memoised evaluator and the comparison of scores."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.inner: Evaluator = evaluator(problem)
        self.seen: dict[int, Score] = {}
        self.keep = problem.free & problem.candidates  # free to use: never worth closing
        self.shares = [0] * problem.size  # per source: mask of the products it holds
        self.holders = [0] * len(problem.stock)  # per product: mask of the sources holding it
        for product, row in enumerate(problem.stock):
            for source, _ in row:
                self.shares[source] |= 1 << product
                self.holders[product] |= 1 << source

    def score(self, mask: int) -> Score:
        """Score of an open set (memoised)."""
        found = self.seen.get(mask)
        if found is None:
            found = self.seen[mask] = self.inner.score(mask)
        return found

    def base(self, score: Score) -> Score:
        """Make the score's set the base of later moves; return the score."""
        self.inner.rebase(score.mask)
        return score

    def better(self, a: Score, b: Score) -> bool:
        """Lexicographic: more units, less cost, fewer allocations, then source priority and
        id; float noise below the tolerances never decides."""
        if abs(a.filled - b.filled) > FILL_TOL:
            return a.filled > b.filled
        if abs(a.cost - b.cost) > COST_TOL:
            return a.cost < b.cost
        if a.allocations != b.allocations:
            return a.allocations < b.allocations
        return self._tie(a) < self._tie(b)

    def compare(self, a: Score, b: Score) -> int:
        """-1 when `a` is better, else 1 (for sorting, best first)."""
        return -1 if self.better(a, b) else 1

    def _tie(self, score: Score) -> list[tuple[int, str]]:
        p = self.problem
        return sorted((p.priorities[s], p.source_ids[s]) for s in bits(score.used))

    def room(self, score: Score) -> bool:
        """True when the order may ship from one more source."""
        limit = self.problem.order_limit
        return limit is None or (score.used | self.problem.free).bit_count() < limit

    def settle(self, score: Score) -> Score:
        """Close the open sources that ship nothing, unless that scores worse."""
        pruned = self.score(score.used | self.keep)
        return self.base(score if self.better(score, pruned) else pruned)


def search(problem: Problem) -> Score:
    """The best open set found for the pass."""
    run = _Search(problem)
    if problem.order_limit is None:
        if _nearest_is_optimal(problem):
            return run.settle(run.base(run.score(problem.candidates | run.keep)))
        # Start from every source open (nearest-first from all), then close what does not pay.
        current = _local_search(run, _greedy_drop(run))
        while problem.penalty > 0 and (better := _exchange(run, current)) is not None:
            current = _local_search(run, better)
        return current
    # With a limit, grow from each of the most promising single sources: a max-coverage
    # problem, where one greedy start is often trapped.
    empty = run.base(run.score(run.keep))
    if not run.room(empty):
        return empty
    singles = [run.score(empty.mask | 1 << t) for t in bits(problem.candidates & ~empty.mask)]
    singles.sort(key=cmp_to_key(run.compare))
    best = empty
    for single in singles[:STARTS]:
        found = _local_search(run, _greedy_add(run, run.settle(single)))
        best = found if run.better(found, best) else best
    return run.base(best)


def _nearest_is_optimal(problem: Problem) -> bool:
    """Without penalty or limits, nearest-first from every source is the least-cost fill,
    and the only one when no two sources are equally far (so no tie is left to break)."""
    unlimited = all(need.limit is None for need in problem.needs)
    distinct = len(set(problem.distances)) == len(problem.distances)
    return problem.penalty == 0 and unlimited and distinct and problem.separable


def _greedy_drop(run: _Search) -> Score:
    """Close, one at a time, the open source whose closing improves the plan most."""
    current = run.settle(run.base(run.score(run.problem.candidates | run.keep)))
    while True:
        best = current
        for source in bits(current.used & ~run.keep):
            score = run.score(current.mask & ~(1 << source))
            best = score if run.better(score, best) else best
        if best is current:
            return current
        current = run.settle(best)


def _greedy_add(run: _Search, current: Score) -> Score:
    """Open, one at a time, the source that improves the plan most, until none does."""
    while run.room(current):
        best = current
        for source in bits(run.problem.candidates & ~current.mask):
            score = run.score(current.mask | 1 << source)
            best = score if run.better(score, best) else best
        if best is current:
            break
        current = run.settle(best)
    return current


def _local_search(run: _Search, current: Score) -> Score:
    """Best-improvement over drop, add and swap moves until no move improves the plan."""
    for _ in range(MAX_ROUNDS):
        best = current
        for mask in _neighbours(run, current):
            score = run.score(mask)
            best = score if run.better(score, best) else best
        if best is current:
            break
        current = run.settle(best)
    return current


def _exchange(run: _Search, current: Score) -> Score | None:
    """Open one source and close, farthest first, the open sources it shares products with,
    even through worse plans, keeping the best plan on the way: trades several sources for
    one, which single drops and swaps cannot (each step alone costs more)."""
    opened = current.used & ~run.keep
    for t in bits(run.problem.candidates & ~current.mask):
        if not any((run.holders[p] & opened).bit_count() > 1 for p in bits(run.shares[t])):
            continue  # t holds no product the plan ships from several sources
        rivals = [s for s in bits(opened) if run.shares[s] & run.shares[t]]
        trial = best = run.score(current.mask | 1 << t)
        for source in reversed(rivals[-EXCHANGE_DEPTH:]):
            # Scored against the current base: only the exchanged sources' products change.
            trial = run.score(trial.mask & ~(1 << source))
            best = trial if run.better(trial, best) else best
        if run.better(best, current):
            return run.settle(best)
    return None


def _neighbours(run: _Search, current: Score) -> list[int]:
    mask = current.mask
    opened = bits(current.used & ~run.keep)
    closed = bits(run.problem.candidates & ~mask)
    useful = [not run.inner.idle(t) for t in closed]
    moves = [mask & ~(1 << s) for s in opened]
    room = run.room(current)
    if room:
        moves += [mask | 1 << t for t, use in zip(closed, useful, strict=True) if use]
    # The objective is additive over products. With room to add, a swap of sources holding no
    # common product is a drop plus an add, each tried alone; without room, a source that
    # would change nothing stays useless unless it holds a product of the one it replaces.
    shares = run.shares
    moves += [
        mask & ~(1 << s) | 1 << t
        for s in opened
        for t, use in zip(closed, useful, strict=True)
        if shares[s] & shares[t] or (use and not room)
    ]
    return moves


def materialize(problem: Problem, mask: int) -> list[list[tuple[int, Decimal]]]:
    """The final allocations of the chosen open set, in exact Decimal quantities."""
    quantities = [need.quantity for need in problem.needs]
    stock = {p: dict(row) for p, row in enumerate(problem.stock)}
    return assign(problem, list(problem.needs), mask, quantities, stock, Decimal(0))
