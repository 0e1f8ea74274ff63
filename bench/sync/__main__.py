"""The initial sync benchmark: `python -m bench.sync [--orders N] [--page-size P] [--seed S]`."""

from __future__ import annotations

import argparse
import sys

from bench.sync.runner import run_bench
from services.sync.initial import PAGE_SIZE

DEFAULT_SEED = 20240501


def main() -> int:
    """Parse the options, run the benchmark; exit 1 when the counts are not the mix's."""
    parser = argparse.ArgumentParser(prog="python -m bench.sync")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    if args.orders < 1 or not 1 <= args.page_size <= 1000:
        parser.error("--orders must be at least 1 and --page-size 1-1000")
    return 0 if run_bench(args.orders, args.page_size, args.seed, sys.stdout).ok else 1


if __name__ == "__main__":
    sys.exit(main())
