"""`python -m demo`: run the six seed scenarios against `make run` and print each journey."""

from __future__ import annotations

import argparse
import sys

from demo.journey import Journey
from demo.scenarios import SCENARIOS, run
from demo.world import SETTINGS, Urls, World, prepare, simulator_env


def render(journey: Journey) -> str:
    """The journey as a readable table."""
    rows = [(s.at[11:23], s.state, s.reason, s.event) for s in journey.stops]
    head = ("time", "state", "status reason", "event")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    lines = [f"== {journey.scenario}  (order {journey.order_id or '-'})"]
    for row in [head, *rows]:
        lines.append(
            "  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
        )
    lines.append(f"source system: {' -> '.join(journey.source_statuses) or '-'}")
    lines.append(f"FAILED: {journey.error}" if journey.error else "ok")
    return "\n".join(lines)


def environment(urls: Urls) -> str:
    """Shell exports that give `make run`'s host the settings and its simulators the callbacks."""
    values = {**SETTINGS, **simulator_env(urls)}
    return "".join(f"export {name}='{value}'\n" for name, value in values.items())


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios (or print the environment `make run` needs); 1 if any failed."""
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--hub", default=Urls.hub)
    parser.add_argument("--env", action="store_true", help="print the exports `make run` needs")
    parser.add_argument("scenario", nargs="*", help="scenario numbers (default: all six)")
    args = parser.parse_args(argv)
    urls = Urls(hub=args.hub)
    if args.env:
        sys.stdout.write(environment(urls))
        return 0
    names = [n for n in SCENARIOS if not args.scenario or n.split(".")[0] in args.scenario]
    world = World(urls)
    try:
        prepare(world)
        journeys = [run(world, name) for name in names]
    finally:
        world.close()
    for journey in journeys:
        sys.stdout.write(render(journey) + "\n\n")
    failed = [j.scenario for j in journeys if j.error]
    sys.stdout.write(f"{len(journeys) - len(failed)} of {len(journeys)} scenarios passed\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
