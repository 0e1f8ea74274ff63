"""Assign lines to a given set of open sources: nearest first, within per-line and capacity limits.

The same code runs on floats while searching and on Decimals for the final plan, so the plan
is exactly the assignment the search scored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import combinations
from typing import TypeVar

from domain.sourcing.problem import Need, Problem

Num = TypeVar("Num", float, Decimal)
Take = tuple[int, Num]

SHORTLIST = 4  # per-line limits of 2+ try combinations of this many nearest and largest sources


def assign(
    problem: Problem,
    needs: Sequence[Need],
    mask: int,
    quantities: list[Num],
    stock: Mapping[int, dict[int, Num]],
    tol: Num,
) -> list[list[tuple[int, Num]]]:
    """Allocate each need, in order, from the open sources in `mask`; `stock` (source ->
    sellable quantity, per product) is consumed in place."""
    slots: list[int | None] = list(problem.slots) if problem.slots else [None] * problem.size
    result: list[list[tuple[int, Num]]] = []
    for need, quantity in zip(needs, quantities, strict=True):
        row = stock[need.product]
        cands = [
            (source, left)
            for source, left in row.items()
            if mask >> source & 1 and left > tol and _has_slot(slots, source, need.prior)
        ]
        takes = _pick(problem.distances, sorted(cands), quantity, need.limit, tol)
        for source, take in takes:
            row[source] -= take
            if not need.prior >> source & 1 and (left := slots[source]) is not None:
                slots[source] = left - 1
        result.append(takes)
    return result


def _has_slot(slots: list[int | None], source: int, prior: int) -> bool:
    # A line already shipping from the source adds no line to its daily count.
    left = slots[source]
    return left is None or left > 0 or bool(prior >> source & 1)


def _pick(
    distances: tuple[float, ...], cands: list[Take[Num]], quantity: Num, limit: int | None, tol: Num
) -> list[Take[Num]]:
    greedy = _nearest_first(cands, quantity, tol)
    if limit is None or len(greedy) <= limit:
        return greedy
    if limit <= 0:
        return []
    if limit == 1:
        # Most units first, then the nearest: the best a single source can do.
        source, left = min(cands, key=lambda c: (-float(min(c[1], quantity)), c[0]))
        return [(source, min(left, quantity))]
    return _best_combination(distances, _shortlist(cands), quantity, limit, tol)


def _nearest_first(cands: list[Take[Num]], quantity: Num, tol: Num) -> list[Take[Num]]:
    takes: list[Take[Num]] = []
    missing = quantity
    for source, left in cands:
        if missing <= tol:
            break
        take = min(left, missing)
        takes.append((source, take))
        missing -= take
    return takes


def _shortlist(cands: list[Take[Num]]) -> list[Take[Num]]:
    largest = sorted(cands, key=lambda c: (-float(c[1]), c[0]))[:SHORTLIST]
    return sorted(set(cands[:SHORTLIST]) | set(largest))


def _best_combination(
    distances: tuple[float, ...], pool: list[Take[Num]], quantity: Num, limit: int, tol: Num
) -> list[Take[Num]]:
    best: list[Take[Num]] = []
    best_key: tuple[float, float, int] | None = None
    for combo in combinations(pool, limit):
        takes = _nearest_first(list(combo), quantity, tol)
        filled = sum(float(take) for _, take in takes)
        cost = sum(distances[source] * float(take) for source, take in takes)
        key = (-round(filled, 9), round(cost, 6), len(takes))
        if best_key is None or key < best_key:
            best, best_key = takes, key
    return best
