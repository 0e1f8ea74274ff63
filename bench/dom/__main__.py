"""Run the DOM benchmark: `python -m bench.dom [--orders N] [--milp-orders M] [--seed S]`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from bench.dom import milp
from bench.dom.baselines import BASELINES
from bench.dom.generate import Instance, Shape, generate
from bench.dom.model import Assignment, OrderView, from_plan, order_view, outcome
from bench.dom.report import Run, ratios, summary, table
from bench.dom.strategies import strategies
from domain.sourcing import Snapshot, Strategy, plan_fulfillment


def main() -> None:
    """Generate the instance, run every solver on every strategy, print the tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.dom")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--milp-orders", type=int, default=None, help="default: all orders")
    parser.add_argument("--seed", type=int, default=Shape().seed)
    args = parser.parse_args()
    instance = generate(Shape(orders=args.orders, seed=args.seed))
    solved = min(args.orders, args.milp_orders or args.orders)
    out = sys.stdout
    out.write(_preamble(instance, solved))
    for strategy in strategies(instance.sources):
        out.write(_strategy(instance, strategy, solved))
        out.flush()


def _preamble(instance: Instance, solved: int) -> str:
    lines = [len(order.lines) for order in instance.orders]
    return (
        f"# DOM benchmark\n\n{len(instance.sources)} sources, {len(instance.stock):,} stock "
        f"records, {len(instance.orders)} orders of 1-{max(lines)} lines "
        f"({sum(lines):,} lines); every order is planned against the same fresh stock. "
        f"MILP optimum on the first {solved} orders.\n"
    )


def _strategy(instance: Instance, strategy: Strategy, solved: int) -> str:
    snapshot = Snapshot(sources=instance.sources, available=instance.stock)
    views = [order_view(instance, order, strategy) for order in instance.orders]
    ours = _timed("ours", views, lambda i, _: _ours(instance, snapshot, strategy, i))
    optimum = _timed("MILP optimum", views[:solved], lambda _, view: milp.solve(view))
    peers = [_timed(name, views, _peer(rule)) for name, rule in BASELINES.items()]
    everyone = [ours, *peers]
    text = [
        f"\n## {strategy.name} (extra-source penalty {strategy.extra_source_penalty})\n",
        f"\nFirst {solved} orders (where the MILP ran):\n\n",
        table([summary(run, solved) for run in [optimum, *everyone]]),
        "\n\n" + f"All {len(views)} orders:\n\n" if solved < len(views) else "\n",
        table([summary(run, len(views)) for run in everyone]) if solved < len(views) else "",
        "\n\n" + "\n".join(f"- {ratios(ours, other, solved)}" for other in [optimum, *peers]),
        "\n",
    ]
    return "".join(text)


def _ours(instance: Instance, snapshot: Snapshot, strategy: Strategy, index: int) -> Assignment:
    return from_plan(plan_fulfillment(instance.orders[index], snapshot, strategy))


def _peer(rule: Callable[[OrderView], Assignment]) -> Callable[[int, OrderView], Assignment]:
    return lambda _, view: rule(view)


def _timed(name: str, views: list[OrderView], solve: Callable[[int, OrderView], Assignment]) -> Run:
    outcomes, seconds = [], []
    for i, view in enumerate(views):
        start = time.perf_counter()
        assignment = solve(i, view)
        seconds.append(time.perf_counter() - start)
        outcomes.append(outcome(view, assignment))
    return Run(name, outcomes, seconds, [len(view.lines) for view in views])


if __name__ == "__main__":
    main()
