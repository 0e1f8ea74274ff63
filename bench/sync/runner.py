"""Place the orders, run the initial sync twice, and report each run against the mix."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from bench.sync.orders import REFUSED_ITEM, Mix, place_orders, plan_orders
from bench.sync.report import (
    CountsRow,
    FnoTraffic,
    RunFigures,
    preamble,
    progress_line,
    row,
    run_section,
    verdict,
)
from bench.sync.stopwatch import timed_endpoints
from bench.sync.world import World, open_world
from services.sync.initial import InitialSyncCounts, initial_sync

PROGRESS_EVERY = 1000  # orders between progress lines (at most one line per page)


@dataclass(frozen=True)
class Outcome:
    """Both runs' figures and whether each came out as the mix says it must."""

    mix: Mix
    first: RunFigures
    second: RunFigures

    @property
    def ok(self) -> bool:
        """Both runs counted as expected and the second created and changed nothing."""
        idle = self.second.fno.created == 0 and self.second.fno.updates == 0
        return (
            row(self.first.counts) == first_expected(self.mix)
            and row(self.second.counts) == second_expected(self.mix)
            and idle
        )


def first_expected(mix: Mix) -> CountsRow:
    """Ready orders sync, orders with a refused item fail, held ones are skipped."""
    return mix.orders, mix.ready, mix.refused, mix.held


def second_expected(mix: Mix) -> CountsRow:
    """Nothing new to send; each refused line is tried again and fails again."""
    return mix.orders, 0, mix.refused, mix.ready + mix.held


@dataclass
class Progress:
    """Prints a line each time another `every` orders were examined, and on request."""

    out: TextIO
    started: float
    every: int
    printed: int = 0

    def __call__(self, counts: InitialSyncCounts) -> None:
        """Called by the initial sync after each page."""
        if counts.examined - self.printed >= self.every:
            self.line(counts)

    def line(self, counts: InitialSyncCounts) -> None:
        """Print where the sync is now."""
        self.out.write(progress_line(counts, time.perf_counter() - self.started))
        self.out.flush()
        self.printed = counts.examined


def run_bench(orders: int, page_size: int, seed: int, out: TextIO) -> Outcome:
    """The whole benchmark, printed to `out`."""
    mix = Mix.of(orders)
    with _quiet_logs(), open_world() as world:
        world.refuse_items([REFUSED_ITEM])
        started = time.perf_counter()
        lines = place_orders(world.container.engine, plan_orders(mix, seed))
        out.write(preamble(mix, lines, page_size, seed, time.perf_counter() - started))
        context = world.container.sync.context()  # seeds the shipped maps before timing
        # Time the F&O calls apart from the engine's own work.
        context.endpoints = timed_endpoints(context.endpoints, world.endpoint_time)
        out.write("\n## Run 1: initial sync\n\n")
        first = _timed_run(world, page_size, out)
        out.write(run_section(first, first_expected(mix)))
        out.write("\n## Run 2: the same orders again\n\n")
        outcome = Outcome(mix, first, _timed_run(world, page_size, out))
        out.write(run_section(outcome.second, second_expected(mix)))
        out.write(verdict(outcome.second, outcome.ok))
    return outcome


def _timed_run(world: World, page_size: int, out: TextIO) -> RunFigures:
    """One initial sync over every order, with what it cost."""
    context = world.container.sync.context()
    calls, storage = len(world.fno.calls), world.storage_requests()
    messages, waited = world.queues.published.total(), world.endpoint_time.seconds
    started = time.perf_counter()
    progress = Progress(out, started, max(PROGRESS_EVERY, page_size))
    counts = initial_sync(context, progress, page_size)
    seconds = time.perf_counter() - started
    if progress.printed != counts.examined:
        progress.line(counts)  # the last stretch, shorter than `every`
    with world.fno.store.lock:
        records = len(world.fno.store.headers), len(world.fno.store.lines)
    return RunFigures(
        counts=counts, seconds=seconds, fno=FnoTraffic.of(world.fno.calls[calls:]),
        fno_seconds=world.endpoint_time.seconds - waited,
        storage=world.storage_requests() - storage,
        messages=world.queues.published.total() - messages, fno_records=records,
    )  # fmt: skip


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Keep per-request and per-failure log lines off the terminal: they would swamp the report.

    The werkzeug server logs every request; the sync warns of every refused line, which the mix
    makes on purpose. The levels are put back afterwards (the test runs this in pytest).
    """
    loggers = [logging.getLogger(name) for name in ("werkzeug", "services.sync")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
