"""What the benchmark prints: the preamble, progress lines and each run's figures."""

from __future__ import annotations

import resource
from collections import Counter
from dataclasses import dataclass

from bench.sync.orders import Mix
from services.sync.initial import InitialSyncCounts
from simulators.fno.app import Call

CountsRow = tuple[int, int, int, int]  # examined, synced, failed, skipped


@dataclass(frozen=True)
class FnoTraffic:
    """The requests F&O received in one run, by what they did."""

    reads: int
    created: int
    refused: int
    updates: int
    tokens: int

    @classmethod
    def of(cls, calls: list[Call]) -> FnoTraffic:
        """Classify the simulator's recorded calls (token requests apart from /data ones)."""
        data = [c for c in calls if c.path.startswith("/data/")]
        posts = [c for c in data if c.method == "POST"]
        return cls(
            reads=sum(c.method == "GET" for c in data),
            created=sum(c.status < 400 for c in posts),
            refused=sum(c.status >= 400 for c in posts),
            updates=sum(c.method == "PATCH" for c in data),
            tokens=len(calls) - len(data),
        )

    @property
    def total(self) -> int:
        """Every request, token requests included."""
        return self.reads + self.created + self.refused + self.updates + self.tokens


@dataclass(frozen=True)
class RunFigures:
    """One initial sync: its counts, wall time and the work it caused."""

    counts: InitialSyncCounts
    seconds: float
    fno: FnoTraffic
    fno_seconds: float  # inside the endpoint's calls: HTTP round trips and the simulator's work
    storage: Counter[str]  # table requests, per table
    messages: int  # OrderChanged and other queue messages the hub published
    fno_records: tuple[int, int]  # headers and lines F&O holds afterwards


def row(counts: InitialSyncCounts) -> CountsRow:
    """The counts as a comparable tuple."""
    return counts.examined, counts.synced, counts.failed, counts.skipped


def preamble(mix: Mix, lines: int, page_size: int, seed: int, placing_seconds: float) -> str:
    """What is measured, on which orders."""
    return (
        f"# Initial sync benchmark\n\n{mix.orders:,} hub orders ({lines:,} lines): "
        f"{mix.ready:,} ready, {mix.held:,} held (no company), {mix.refused:,} with one line of "
        f"an item F&O refuses; page size {page_size}; seed {seed}. Hub storage in memory; the "
        f"F&O simulator on loopback, reached over HTTP by the provider's client.\n\n"
        f"Orders placed and assigned through the hub's intake in {placing_seconds:.1f} s "
        f"(not timed below).\n"
    )


def progress_line(counts: InitialSyncCounts, seconds: float) -> str:
    """One progress line."""
    rate = counts.examined / seconds if seconds > 0 else 0.0
    return (
        f"- {counts.examined:>7,} examined: {counts.synced:,} synced, {counts.failed:,} failed, "
        f"{counts.skipped:,} skipped; {seconds:7.1f} s, {rate:,.0f} orders/s\n"
    )


def run_section(figures: RunFigures, expected: CountsRow) -> str:
    """The counts against the expected ones, then the cost of the run."""
    c, fno = figures.counts, figures.fno
    per_order = c.examined or 1
    per_synced = f"{fno.total / c.synced:.2f} per synced order" if c.synced else "none synced"
    agreement = "as expected" if row(c) == expected else "NOT AS EXPECTED"
    return "".join(
        [
            "\n| | examined | synced | failed | skipped |\n|---|---|---|---|---|\n",
            "| counted | {:,} | {:,} | {:,} | {:,} |\n".format(*row(c)),
            "| expected | {:,} | {:,} | {:,} | {:,} |\n\n".format(*expected),
            f"- counts {agreement}\n",
            f"- wall time {figures.seconds:.1f} s, {c.examined / figures.seconds:,.0f} orders/s; "
            f"{figures.fno_seconds:.1f} s ({figures.fno_seconds / figures.seconds:.0%}) of it in "
            f"F&O calls (HTTP round trips and the simulator's work), the rest in the engine and "
            f"storage ({(figures.seconds - figures.fno_seconds) / per_order * 1e3:.2f} ms per "
            f"order)\n",
            f"- F&O requests: {fno.total:,} ({per_synced}): {fno.reads:,} GET, "
            f"{fno.created + fno.refused:,} POST ({fno.created:,} created, {fno.refused:,} "
            f"refused), {fno.updates:,} PATCH, {fno.tokens:,} token\n",
            "- F&O holds {:,} headers and {:,} lines\n".format(*figures.fno_records),
            storage_line(figures.storage, per_order),
            f"- queue messages published (OrderChanged of the orders the sync wrote back to): "
            f"{figures.messages:,}\n",
            f"- peak RSS so far {peak_rss_mb():,.0f} MB\n",
        ]
    )


def storage_line(storage: Counter[str], orders: int) -> str:
    """Table requests in all and per order, the busiest tables first."""
    total = storage.total()
    busiest = ", ".join(
        f"{name} {count / orders:.1f}" for name, count in storage.most_common(6) if count
    )
    return f"- storage requests: {total:,} ({total / orders:.1f} per order: {busiest})\n"


def peak_rss_mb() -> float:
    """The process's peak resident set size (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(second: RunFigures, ok: bool) -> str:
    """Whether the second run sent nothing new and both runs counted as the mix says."""
    fno = second.fno
    return (
        f"\n## Idempotence\n\nThe second run created {fno.created:,} records and updated "
        f"{fno.updates:,}; its only POSTs were the {fno.refused:,} refused lines tried again. "
        f"{'PASS' if ok else 'FAIL'}: both runs counted as the mix says.\n"
    )
