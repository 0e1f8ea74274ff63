"""The initial sync benchmark end to end on a small mix: its counts are the mix's, never timed."""

from __future__ import annotations

import io

from bench.sync.orders import Kind, Mix, plan_orders
from bench.sync.report import row
from bench.sync.runner import run_bench

SEED = 7


def test_the_sync_bench_counts_the_mix_and_its_second_run_sends_nothing_new():
    out = io.StringIO()
    outcome = run_bench(orders=60, page_size=25, seed=SEED, out=out)

    assert outcome.mix == Mix(ready=51, held=6, refused=3)
    assert row(outcome.first.counts) == (60, 51, 3, 6)
    assert outcome.first.fno.refused == 3  # one refused line per order with the bad item
    plans = plan_orders(outcome.mix, SEED)
    lines = sum(len(p.lines) for p in plans if p.kind is Kind.READY)
    lines += sum(len(p.lines) - 1 for p in plans if p.kind is Kind.REFUSED)
    assert outcome.first.fno_records == (54, lines)  # every sent header and every good line

    assert row(outcome.second.counts) == (60, 0, 3, 57)
    assert (outcome.second.fno.created, outcome.second.fno.updates) == (0, 0)
    assert outcome.second.fno_records == outcome.first.fno_records
    assert outcome.ok
    assert "PASS" in out.getvalue()
