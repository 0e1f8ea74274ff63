import random
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.clock import SystemClock
from adapters.storage.azure_table import AzureTable, AzureTableService
from adapters.storage.inventory import TableInventoryStore
from adapters.storage.sources import TableSourceRepository
from adapters.storage.supply import TableSupplyIndex
from domain.inventory.stock import MovementKind
from services.inventory import Inventory
from tests.contracts.inventory_contract import (
    InventoryContract,
    UniqueIds,
    a_source,
    ask,
    assert_ledger_matches,
    make_stock,
)
from tests.contracts.inventory_store_contract import InventoryStoreContract

pytestmark = pytest.mark.integration

D = Decimal
WORKERS = 4


class TestInventoryOnAzurite(InventoryContract):
    pass


class TestInventoryStoreOnAzurite(InventoryStoreContract):
    pass


# The acceptance test: concurrent workers never oversell.


@pytest.fixture
def shared(make_table, storage_connection):
    """Seeded tables, and a factory of workers, each with its own connection to them."""
    names = [make_table().name for _ in range(3)]
    seed = make_stock(*(make_table_named(storage_connection, n) for n in names), None)
    seed.sources.create_source(a_source("WH1"))
    services: list[AzureTableService] = []

    def worker() -> Inventory:
        own = AzureTableService.from_connection_string(storage_connection)
        services.append(own)
        inventory, supply, sources = (own.table(n) for n in names)
        return Inventory(
            TableInventoryStore(inventory), TableSupplyIndex(supply),
            TableSourceRepository(sources), SystemClock(), UniqueIds(),
        )  # fmt: skip

    yield seed, worker
    for own in services:
        own.close()


def make_table_named(connection: str, name: str) -> AzureTable:
    return AzureTableService.from_connection_string(connection).table(name)


def run_together(jobs):
    """Run each job on its own thread, released at the same moment; their results in order."""
    barrier = threading.Barrier(len(jobs))

    def start(job):
        barrier.wait()
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(start, jobs))


def test_four_workers_reserving_the_last_units_never_oversell(shared):
    seed, worker = shared
    seed.inventory.set_stock("WH1", "P1", D(10), "count")
    references = [[f"order-{w}-{i}|1" for i in range(10)] for w in range(WORKERS)]

    def reserve_all(w: int):
        inventory = worker()
        # Its own ten references, the next worker's ten (racing it), then its own again.
        mine, theirs = references[w], references[(w + 1) % WORKERS]
        order = [*mine, *theirs]
        random.Random(w).shuffle(order)
        return [(r, inventory.reserve([ask(r, "1")])[0]) for r in [*order, *mine]]

    outcomes = run_together([lambda w=w: reserve_all(w) for w in range(WORKERS)])

    by_reference = defaultdict(set)
    for reference, got in (pair for worker_outcomes in outcomes for pair in worker_outcomes):
        assert got.reference == reference
        assert got.reserved + got.shortfall == 1
        by_reference[reference].add((got.reserved, got.shortfall))
    assert len(by_reference) == WORKERS * 10
    assert all(len(answers) == 1 for answers in by_reference.values()), "repeats must agree"
    reserved = sum(next(iter(answers))[0] for answers in by_reference.values())
    assert reserved == D(10)
    balance = seed.store.balance("WH1", "P1").value
    assert (balance.on_hand, balance.reserved, balance.available) == (D(10), D(10), 0)
    kinds = [m.kind for m in seed.inventory.movements("P1")]
    assert kinds.count(MovementKind.RESERVATION) == 10
    assert_ledger_matches(seed, "P1")


def test_concurrent_receipts_adjustments_reservations_and_releases_add_up(shared):
    seed, worker = shared
    seed.inventory.set_stock("WH1", "P1", D(5), "count")

    def reserve_then_release(w: int):
        inventory = worker()
        for i in range(8):
            inventory.reserve([ask(f"o-{w}-{i}", "2")])
        return [inventory.release(f"o-{w}-{i}") for i in range(0, 8, 2)]

    def receive():
        inventory = worker()
        for i in range(8):
            inventory.receive("WH1", "P1", D("1.5"), f"PO-{i}")
            inventory.receive("WH1", "P1", D("1.5"), f"PO-{i}")  # a repeated message

    def adjust():
        inventory = worker()
        for i in range(8):
            inventory.adjust_stock("WH1", "P1", D("0.25"), f"found-{i}")

    started = datetime.now(UTC)
    run_together(
        [lambda: reserve_then_release(0), lambda: reserve_then_release(1), receive, adjust]
    )

    balance = seed.store.balance("WH1", "P1").value
    assert balance.on_hand == D(5) + 8 * D("1.5") + 8 * D("0.25")
    assert balance.is_valid
    assert_ledger_matches(seed, "P1")
    kept = [seed.inventory.reservation(f"o-{w}-{i}") for w in range(2) for i in range(1, 8, 2)]
    assert balance.reserved == sum(r.outstanding for r in kept)
    assert seed.inventory.supplied_products(10) == ["P1"]
    seed.inventory.clear_supplied(["P1"], up_to=started)
    assert seed.inventory.supplied_products(10) == ["P1"]  # supplied after `started`: kept
