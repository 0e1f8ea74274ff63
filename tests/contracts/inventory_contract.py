"""Behaviour of the inventory use cases over TableInventoryStore, on memory tables and Azurite."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from adapters.storage.inventory import TableInventoryStore
from adapters.storage.sources import TableSourceRepository
from adapters.storage.supply import TableSupplyIndex
from adapters.storage.table import Table
from domain.inventory.sources import FulfillmentSource, GeoPoint
from domain.inventory.stock import MovementKind, StockBalance
from services.errors import InvalidInput, NotAllowed, NotFound
from services.inventory import Inventory
from services.inventory_ports import ReservationClaim, ReservationRequest, ReservationResult
from services.sources import Sources
from tests.fakes import FixedClock

D = Decimal
MakeTable = Callable[[], Table]


@dataclass
class UniqueIds:
    """Ids unique across workers and test runs, in creation order within one generator."""

    prefix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self) -> str:
        return f"{self.prefix}-{next(self.counter):06d}"


@dataclass
class Stock:
    """The inventory stack over three tables."""

    inventory: Inventory
    sources: Sources
    store: TableInventoryStore
    supply: TableSupplyIndex
    repository: TableSourceRepository
    clock: FixedClock


def make_stock(inventory: Table, supply: Table, sources: Table, clock: FixedClock | None) -> Stock:
    store, index = TableInventoryStore(inventory), TableSupplyIndex(supply)
    repository = TableSourceRepository(sources)
    clock = clock or FixedClock()
    service = Inventory(store, index, repository, clock, UniqueIds())
    return Stock(service, Sources(repository), store, index, repository, clock)


def a_source(source_id: str = "WH1", **fields) -> FulfillmentSource:
    defaults = {
        "name": f"Warehouse {source_id}",
        "location": GeoPoint(latitude=47.6, longitude=-122.3),
    }
    return FulfillmentSource(source_id=source_id, **{**defaults, **fields})


def ask(reference: str, quantity: str, source: str = "WH1", product: str = "P1"):
    return ReservationRequest(reference, source, product, D(quantity))


def result(reference: str, reserved: str, shortfall: str) -> ReservationResult:
    return ReservationResult(reference, D(reserved), D(shortfall))


def assert_ledger_matches(stock: Stock, product_id: str) -> None:
    """The balances the ledger adds up to are the stored ones (times included)."""
    stored = {(b.source_id, b.product_id): b for b in stock.store.balances(product_id)}
    rebuilt = stock.inventory.rebuilt_balances(product_id)
    # A balance set to 0 before any movement is stored without a ledger row.
    moved = {key: b for key, b in stored.items() if b.updated_at is not None}
    assert rebuilt == moved


class InventoryContract:
    """Subclasses provide `make_table`: a factory of created, uniquely named tables."""

    @pytest.fixture
    def stock(self, make_table: MakeTable) -> Stock:
        stock = make_stock(make_table(), make_table(), make_table(), None)
        stock.sources.create_source(a_source("WH1", safety_stock=D(2)))
        stock.sources.create_source(a_source("WH2"))
        return stock

    # Stock levels

    def test_set_stock_writes_a_balance_and_an_adjustment(self, stock):
        balance = stock.inventory.set_stock("WH1", "P1", D("12.5"), "count-1")

        assert (balance.on_hand, balance.reserved, balance.available) == (D("12.5"), 0, D("12.5"))
        assert stock.store.balance("WH1", "P1").value == balance
        [movement] = stock.inventory.movements("P1")
        assert (movement.kind, movement.quantity) == (MovementKind.ADJUSTMENT, D("12.5"))
        assert (movement.reference, movement.at) == ("count-1", stock.clock.now())
        assert_ledger_matches(stock, "P1")

    def test_set_and_adjust_are_idempotent_by_reference(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(10), "count-1")
        stock.inventory.adjust_stock("WH1", "P1", D(-3), "damaged-1")

        assert stock.inventory.set_stock("WH1", "P1", D(10), "count-1").on_hand == D(7)
        assert stock.inventory.adjust_stock("WH1", "P1", D(-3), "damaged-1").on_hand == D(7)
        assert stock.inventory.adjust_stock("WH1", "P1", D(-3), "damaged-2").on_hand == D(4)
        assert len(stock.inventory.movements("P1")) == 3

    def test_stock_without_a_reference_is_applied_each_time(self, stock):
        stock.inventory.adjust_stock("WH1", "P1", D(2))
        stock.inventory.adjust_stock("WH1", "P1", D(2))

        assert stock.store.balance("WH1", "P1").value.on_hand == D(4)

    def test_setting_zero_on_a_new_balance_stores_it_without_a_movement(self, stock):
        balance = stock.inventory.set_stock("WH1", "P1", D(0), "count-0")

        assert balance == StockBalance("WH1", "P1")
        assert stock.inventory.availability("P1").per_source[0].source_id == "WH1"
        assert stock.inventory.movements("P1") == []

    def test_on_hand_never_goes_below_reserved(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(5), "count-1")
        stock.inventory.reserve([ask("o1|1", "3")])

        with pytest.raises(NotAllowed) as too_low:
            stock.inventory.set_stock("WH1", "P1", D("2.5"), "count-2")
        assert too_low.value.field == "onHand"
        with pytest.raises(NotAllowed) as too_far:
            stock.inventory.adjust_stock("WH1", "P1", D(-3), "shrink")
        assert too_far.value.field == "adjustBy"
        assert stock.inventory.set_stock("WH1", "P1", D(3), "count-3").available == 0

    def test_stock_at_an_unknown_source_is_not_found(self, stock):
        with pytest.raises(NotFound, match="source NOPE"):
            stock.inventory.set_stock("NOPE", "P1", D(1), "x")
        with pytest.raises(NotFound):
            stock.inventory.receive("NOPE", "P1", D(1), "x")

    @pytest.mark.parametrize(
        ("call", "field"),
        [(lambda i: i.set_stock("WH1", "P1", D(-1), "r"), "onHand"),
         (lambda i: i.adjust_stock("WH1", "P1", D("0.0000001"), "r"), "adjustBy"),
         (lambda i: i.receive("WH1", "P1", D(0), "r"), "quantity"),
         (lambda i: i.receive("WH1", "x" * 101, D(1), "r"), "productId"),
         (lambda i: i.receive("WH1", "P1", D(1), ""), "reference"),
         (lambda i: i.reserve([ask("a", "1"), ask("b", "-1")]), "reservations.1.quantity"),
         (lambda i: i.ship("a", D(0)), "quantity")],
    )  # fmt: skip
    def test_bad_input_names_the_field(self, stock, call, field):
        with pytest.raises(InvalidInput) as raised:
            call(stock.inventory)
        assert raised.value.field == field
        assert stock.inventory.movements("P1") == []

    def test_a_change_beyond_fifteen_digits_names_the_field(self, stock):
        stock.inventory.set_stock("WH1", "P1", D("999999999999999"), "c1")
        stock.inventory.receive("WH1", "P1", D(1), "r1")

        with pytest.raises(InvalidInput) as raised:
            stock.inventory.set_stock("WH1", "P1", D(0), "c2")
        assert raised.value.field == "onHand"

    def test_quantities_are_exact_decimals(self, stock):
        stock.inventory.receive("WH1", "P1", D("0.1"), "r1")
        stock.inventory.receive("WH1", "P1", D("0.2"), "r2")
        stock.inventory.adjust_stock("WH1", "P1", D("1E+3"), "a1")

        assert stock.store.balance("WH1", "P1").value.on_hand == D("1000.3")
        assert str(stock.inventory.availability("P1").total_available) == "1000.3"

    # Receipts and the supply index

    def test_receipts_are_idempotent_per_source_product_and_reference(self, stock):
        stock.inventory.receive("WH1", "P1", D(5), "PO-1")
        stock.inventory.receive("WH1", "P1", D(5), "PO-1")
        stock.inventory.receive("WH2", "P1", D(5), "PO-1")
        stock.inventory.receive("WH1", "P2", D(5), "PO-1")

        assert stock.store.balance("WH1", "P1").value.on_hand == D(5)
        assert stock.store.balance("WH2", "P1").value.on_hand == D(5)
        assert stock.store.balance("WH1", "P2").value.on_hand == D(5)

    def test_supply_marks_the_product_for_the_backorder_job(self, stock):
        stock.inventory.receive("WH1", "P1", D(5), "PO-1")
        stock.inventory.adjust_stock("WH1", "P2", D(3), "found")
        stock.inventory.set_stock("WH1", "P3", D(0), "count")
        stock.inventory.adjust_stock("WH1", "P1", D(-1), "lost")

        assert stock.inventory.supplied_products(10) == ["P1", "P2"]
        stock.inventory.clear_supplied(["P1", "P2"])
        stock.inventory.adjust_stock("WH1", "P1", D(-1), "lost-2")
        assert stock.inventory.supplied_products(10) == []

    def test_a_repeated_receipt_marks_again(self, stock):
        stock.inventory.receive("WH1", "P1", D(5), "PO-1")
        stock.inventory.clear_supplied(["P1"])

        stock.inventory.receive("WH1", "P1", D(5), "PO-1")

        assert stock.inventory.supplied_products(10) == ["P1"]

    # Reservations

    def test_a_reservation_takes_what_is_available_and_reports_the_shortfall(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(5), "count")

        results = stock.inventory.reserve([ask("o1|1", "3"), ask("o2|1", "3"), ask("o3|1", "1")])

        assert results == [result("o1|1", "3", "0"), result("o2|1", "2", "1"),
                           result("o3|1", "0", "1")]  # fmt: skip
        balance = stock.store.balance("WH1", "P1").value
        assert (balance.on_hand, balance.reserved, balance.available) == (5, 5, 0)
        assert_ledger_matches(stock, "P1")

    def test_all_or_nothing_reserves_a_request_fully_or_not_at_all(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(5), "count")

        results = stock.inventory.reserve([ask("a", "6"), ask("b", "5")], all_or_nothing=True)

        assert results == [result("a", "0", "6"), result("b", "5", "0")]

    def test_a_repeated_reference_answers_the_first_result_and_reserves_nothing_more(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(10), "count")
        first = stock.inventory.reserve([ask("o1|1", "4")])

        again = stock.inventory.reserve([ask("o1|1", "4"), ask("o1|1", "9", product="P2")])

        assert again == first * 2
        assert stock.store.balance("WH1", "P1").value.reserved == D(4)
        kinds = [m.kind for m in stock.inventory.movements("P1")]
        assert kinds.count(MovementKind.RESERVATION) == 1

    def test_a_reservation_without_any_stock_is_all_shortfall_and_stays_spent(self, stock):
        assert stock.inventory.reserve([ask("o1|1", "2")]) == [result("o1|1", "0", "2")]
        stock.inventory.receive("WH1", "P1", D(5), "PO-1")

        assert stock.inventory.reserve([ask("o1|1", "2")]) == [result("o1|1", "0", "2")]
        assert stock.store.balance("WH1", "P1").value.reserved == 0

    def test_release_gives_back_what_is_held_once(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(5), "count")
        stock.inventory.reserve([ask("o1|1", "4")])
        stock.inventory.clear_supplied(["P1"])

        assert stock.inventory.release("o1|1") == D(4)
        assert stock.inventory.release("o1|1") == 0
        assert stock.inventory.release("never-reserved") == 0
        assert stock.store.balance("WH1", "P1").value.available == D(5)
        assert stock.inventory.supplied_products(10) == ["P1"]
        assert stock.inventory.reserve([ask("o1|1", "4")]) == [result("o1|1", "4", "0")]
        assert stock.store.balance("WH1", "P1").value.reserved == 0
        assert_ledger_matches(stock, "P1")

    def test_a_release_that_overtakes_its_reservation_spends_the_reference(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(5), "count")
        stock.store.claim(ReservationClaim("o1|1", "WH1", "P1", D(2)))  # then the process died

        assert stock.inventory.release("o1|1") == 0
        assert stock.inventory.reserve([ask("o1|1", "2")]) == [result("o1|1", "0", "2")]
        assert stock.store.balance("WH1", "P1").value.reserved == 0

    def test_shipping_takes_goods_out_of_on_hand_and_the_reservation(self, stock):
        stock.inventory.set_stock("WH1", "P1", D(10), "count")
        stock.inventory.reserve([ask("o1|1", "6")])

        shipped = stock.inventory.ship("o1|1", D(2), "shp-1")
        again = stock.inventory.ship("o1|1", D(2), "shp-1")

        assert shipped == again
        assert (shipped.reserved, shipped.shipped, shipped.outstanding) == (6, 2, 4)
        balance = stock.store.balance("WH1", "P1").value
        assert (balance.on_hand, balance.reserved, balance.available) == (8, 4, 4)
        with pytest.raises(NotAllowed) as too_much:
            stock.inventory.ship("o1|1", D(5), "shp-2")
        assert too_much.value.field == "quantity"
        assert stock.inventory.release("o1|1") == D(4)
        assert stock.inventory.reservation("o1|1").outstanding == 0
        assert_ledger_matches(stock, "P1")

    def test_shipping_an_unknown_reference_is_not_found(self, stock):
        with pytest.raises(NotFound):
            stock.inventory.ship("nope", D(1))

    def test_ids_with_key_characters_work(self, stock):
        product, reference = "A/B#C?D|E%F\\G", "order/1|line#2"
        stock.inventory.receive("WH1", product, D(3), "PO/1")

        assert stock.inventory.reserve([ask(reference, "2", product=product)]) == [
            result(reference, "2", "0")
        ]
        assert stock.inventory.release(reference) == D(2)
        assert stock.inventory.supplied_products(5) == [product]
        assert_ledger_matches(stock, product)
