"""Peers' documented sourcing rules, re-implemented for comparison (see shared peers.md)."""

from __future__ import annotations

from collections.abc import Callable

from bench.dom.model import Assignment, OrderView

EPS = 1e-9


Rank = tuple[float, float, str]  # sort key of a warehouse for a product, best first


def _greedy(view: OrderView, order: Callable[[str, str], Rank]) -> Assignment:
    """Per line, take what each warehouse has in the given order (Saleor's allocate_stocks)."""
    left = dict(view.stock)
    result: Assignment = []
    for product, quantity in view.lines:
        missing, takes = quantity, []
        holders = [sid for sid in view.sources if left.get((sid, product), 0) > EPS]
        for sid in sorted(holders, key=lambda sid: order(sid, product)):
            if missing <= EPS:
                break
            take = min(left[(sid, product)], missing)
            takes.append((sid, take))
            left[(sid, product)] -= take
            missing -= take
        result.append(takes)
    return result


def saleor_sorting_order(view: OrderView) -> Assignment:
    """Saleor "prioritize sorting order": warehouses in the channel's fixed order (here source
    priority, then id), each giving what it has."""
    return _greedy(view, lambda sid, _: (view.priority[sid], 0.0, sid))


def saleor_high_stock(view: OrderView) -> Assignment:
    """Saleor "prioritize high stock": the warehouse with the most stock of the product first."""
    return _greedy(
        view, lambda sid, product: (-view.stock[(sid, product)], view.priority[sid], sid)
    )


def iom_nearest_two_passes(view: OrderView) -> Assignment:
    """IOM as documented: pass 1 puts each line whole at the nearest source that has all of it;
    pass 2 splits the remaining lines nearest-first (within the per-line limit)."""
    left = dict(view.stock)
    used: set[str] = set()
    result: Assignment = [[] for _ in view.lines]
    for i, (product, quantity) in enumerate(view.lines):
        for sid in _allowed(view, used):
            if left.get((sid, product), 0) >= quantity - EPS:
                result[i] = [(sid, quantity)]
                left[(sid, product)] -= quantity
                used.add(sid)
                break
    for i, (product, quantity) in enumerate(view.lines):
        if result[i]:
            continue
        missing = quantity
        for sid in _allowed(view, used):
            if missing <= EPS or len(result[i]) == (view.line_limit or len(view.sources)):
                break
            take = min(left.get((sid, product), 0), missing)
            if take > EPS and _room(view, used, sid):
                result[i].append((sid, take))
                left[(sid, product)] -= take
                used.add(sid)
                missing -= take
    return result


def _room(view: OrderView, used: set[str], sid: str) -> bool:
    return sid in used or view.order_limit is None or len(used) < view.order_limit


def _allowed(view: OrderView, used: set[str]) -> list[str]:
    return [sid for sid in view.sources if _room(view, used, sid)]


BASELINES: dict[str, Callable[[OrderView], Assignment]] = {
    "Saleor sorting order": saleor_sorting_order,
    "Saleor high stock": saleor_high_stock,
    "IOM nearest, two passes": iom_nearest_two_passes,
}
