"""The inventory tables themselves: ETag conflicts, repeats, retries, supply index, sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.inventory.sources import SourceList
from domain.inventory.stock import Movement, MovementKind
from services.errors import ConcurrencyConflict, EntityAlreadyExists, InvalidInput, NotAllowed
from services.inventory import Inventory
from services.inventory_ports import (
    OperationKey,
    ReservationClaim,
    StockChange,
    Versioned,
)
from tests.contracts.inventory_contract import (
    MakeTable,
    Stock,
    UniqueIds,
    a_source,
    ask,
    assert_ledger_matches,
    make_stock,
    result,
)

D = Decimal


class Interloper:
    """A store through which another worker reserves right after our first balance read."""

    def __init__(self, stock: Stock, other: Inventory, reference: str, quantity: str) -> None:
        self._store, self._other = stock.store, other
        self._pending = [ask(reference, quantity)]

    def __getattr__(self, name):
        return getattr(self._store, name)

    def balance(self, source_id, product_id):
        read = self._store.balance(source_id, product_id)
        if self._pending:
            self._other.reserve([self._pending.pop()])
        return read


class InventoryStoreContract:
    """Subclasses provide `make_table`: a factory of created, uniquely named tables."""

    @pytest.fixture
    def stock(self, make_table: MakeTable) -> Stock:
        stock = make_stock(make_table(), make_table(), make_table(), None)
        stock.sources.create_source(a_source("WH1", safety_stock=D(2)))
        stock.sources.create_source(a_source("WH2"))
        return stock

    def test_a_stale_balance_is_a_conflict_and_writes_nothing(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(5), "count")
        read = stock.store.balance("WH1", "P1")
        stock.inventory.adjust_stock("WH1", "P1", D(1), "more")
        movement = Movement("m-x", MovementKind.RECEIPT, "WH1", "P1", D(1), "r", stock.clock.now())
        stale = Versioned(replace(read.value, on_hand=D(99)), read.handle)

        with pytest.raises(ConcurrencyConflict):
            stock.store.commit(StockChange("P1", stale, movement))

        assert stock.store.balance("WH1", "P1").value.on_hand == D(6)
        assert len(stock.store.movements("P1")) == 2

    def test_a_repeated_operation_fails_on_its_row(self, stock):
        key = OperationKey(MovementKind.RECEIPT, "WH1", "PO-1")
        stock.store.commit(StockChange("P1", operation=key))

        with pytest.raises(EntityAlreadyExists):
            stock.store.commit(StockChange("P1", operation=key))
        assert stock.store.applied("P1", key)
        assert not stock.store.applied("P2", key)

    def test_a_claim_is_kept_by_its_first_request(self, stock):
        first = ReservationClaim("o1|1", "WH1", "P1", D(2))

        assert stock.store.claim(first) == (first, True)
        assert stock.store.claim(replace(first, product_id="P2")) == (first, False)
        assert stock.store.find_claim("o1|1") == first
        assert stock.store.find_claim("o2|1") is None

    def test_a_reservation_retries_when_another_worker_got_there_first(self, make_table, stock):
        tables = stock.store._table, stock.supply._table, stock.repository._table
        other = make_stock(*tables, stock.clock)
        stock.inventory.set_stock("WH1", "P1", D(5), "count")
        stock.inventory.store = Interloper(stock, other.inventory, "theirs", "4")

        assert stock.inventory.reserve([ask("ours", "3")]) == [result("ours", "1", "2")]
        assert other.inventory.reserve([ask("theirs", "4")]) == [result("theirs", "4", "0")]
        assert stock.store.balance("WH1", "P1").value.reserved == D(5)
        assert_ledger_matches(stock, "P1")

    def test_a_change_gives_up_after_its_attempts(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(5), "count")
        stock.inventory.max_attempts = 1
        stock.inventory.store = Interloper(stock, stock.inventory, "theirs", "1")

        with pytest.raises(ConcurrencyConflict, match="too contended"):
            stock.inventory.reserve([ask("ours", "1")])

    # Availability

    def test_availability_per_source_and_in_total(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(10), "c1")
        stock.inventory.set_stock("WH2", "P1", D(3), "c2")
        stock.inventory.reserve([ask("o1|1", "4"), ask("o2|1", "3", source="WH2")])

        availability = stock.inventory.availability("P1")

        rows = [(s.source_id, s.on_hand, s.reserved, s.available) for s in availability.per_source]
        assert rows == [("WH1", 10, 4, 6), ("WH2", 3, 3, 0)]
        assert availability.total_available == D(6)
        assert stock.inventory.availability("P-none").per_source == []

    def test_availability_map_covers_every_pair_asked_for(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(10), "c1")
        stock.inventory.set_stock("WH2", "P2", D(1), "c2")
        stock.inventory.reserve([ask("o1|1", "4")])
        sources, products = ["WH1", "WH2", "GONE"], ["P1", "P2", "P1"]

        raw = stock.inventory.availability_map(products, sources)
        net = stock.inventory.availability_map(products, sources, net_of_safety_stock=True)

        assert raw == {("WH1", "P1"): 6, ("WH2", "P1"): 0, ("GONE", "P1"): 0,
                       ("WH1", "P2"): 0, ("WH2", "P2"): 1, ("GONE", "P2"): 0}  # fmt: skip
        assert net == {**raw, ("WH1", "P1"): D(4)}

    def test_movements_are_timed_after_the_last_even_when_the_clock_goes_back(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(5), "c1")
        stock.clock.advance(-60)

        stock.inventory.reserve([ask("o1|1", "1")])

        first, second = stock.inventory.movements("P1")
        assert second.at == first.at + timedelta(microseconds=1)
        assert_ledger_matches(stock, "P1")

    # Supply index

    def test_supply_marks_list_up_to_a_limit_and_clear(self, stock):
        now = stock.clock.now()
        for product in ("P3", "P1", "P2"):
            stock.supply.mark_supplied(product, now)
        stock.supply.mark_supplied("P1", now)

        assert stock.supply.supplied_products(2) == ["P1", "P2"]
        stock.supply.clear_supplied(["P1", "P2", "never"])
        assert stock.supply.supplied_products(10) == ["P3"]

    def test_clearing_up_to_a_time_keeps_later_supply(self, stock):
        now = stock.clock.now()
        stock.supply.mark_supplied("P1", now)
        stock.supply.mark_supplied("P2", now + timedelta(seconds=5))
        stock.supply.mark_supplied("P2", now)  # an earlier time never replaces a later one

        stock.supply.clear_supplied(["P1", "P2", "never"], up_to=now + timedelta(seconds=1))

        assert stock.supply.supplied_products(10) == ["P2"]

    # Sources and source lists

    def test_sources_are_stored_listed_replaced_and_deleted(self, stock):
        stock.sources.create_source(a_source("ST-9", safety_stock=D("1.5")))
        changed = a_source("ST-9", name="Store 9", active=False)

        assert [s.source_id for s in stock.sources.list_sources()] == ["ST-9", "WH1", "WH2"]
        assert stock.sources.source("ST-9").safety_stock == D("1.5")
        assert stock.sources.replace_source(changed) == changed
        assert stock.repository.get("ST-9") == changed
        stock.sources.delete_source("ST-9")
        assert stock.repository.get("ST-9") is None

    def test_a_taken_source_id_or_list_name_is_not_allowed(self, stock):
        stock.sources.create_list(SourceList(name="East", source_ids=["WH1"]))

        with pytest.raises(NotAllowed) as source_taken:
            stock.sources.create_source(a_source("WH1"))
        with pytest.raises(NotAllowed) as list_taken:
            stock.sources.create_list(SourceList(name="East", source_ids=["WH1"]))
        assert (source_taken.value.field, list_taken.value.field) == ("sourceId", "name")

    def test_saving_a_deleted_record_is_a_conflict(self, stock):
        with pytest.raises(ConcurrencyConflict):
            stock.repository.save(a_source("GONE"))
        with pytest.raises(ConcurrencyConflict):
            stock.repository.save_list(SourceList(name="Gone", source_ids=["WH1"]))

    def test_source_lists_name_known_sources_once(self, stock):
        east = stock.sources.create_list(SourceList(name="East coast", source_ids=["WH2", "WH1"]))

        assert stock.sources.source_list("East coast") == east
        assert [s.source_id for s in stock.sources.sources_in("East coast")] == ["WH2", "WH1"]
        with pytest.raises(InvalidInput) as unknown:
            stock.sources.replace_list(SourceList(name="East coast", source_ids=["WH1", "X"]))
        assert unknown.value.field == "sourceIds.1"
        with pytest.raises(InvalidInput) as twice:
            stock.sources.create_list(SourceList(name="West", source_ids=["WH1", "WH1"]))
        assert twice.value.field == "sourceIds.1"
        with pytest.raises(NotAllowed) as in_use:
            stock.sources.delete_source("WH2")
        assert in_use.value.field == "sourceLists"
        stock.sources.delete_list("East coast")
        assert stock.sources.list_source_lists() == []
        stock.sources.delete_source("WH2")

    def test_the_ids_generator_is_unique_per_worker(self):
        first, second = UniqueIds(), UniqueIds()
        assert first.new_id() != second.new_id()
