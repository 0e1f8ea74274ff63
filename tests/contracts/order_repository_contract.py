"""Behaviour of TableOrderRepository (and the table scan it lists with), on memory and Azurite."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.storage.entities import Entity, StorageLimitExceeded, UpdateMode
from adapters.storage.keys import escape_key
from adapters.storage.limits import MAX_ENTITY_BYTES, entity_size
from adapters.storage.order_documents import HEADER_ROW, chunk_row_key
from adapters.storage.orders import OrderHandle, OrderTooLarge, TableOrderRepository
from adapters.storage.outbox import TableOutbox, outbox_row_key
from adapters.storage.table import InvalidContinuation, Table
from domain.orders.events import BusinessEvent
from domain.orders.model import Address, OrderLine, SalesOrder
from domain.orders.states import OrderState
from services.errors import ConcurrencyConflict, EntityAlreadyExists, InvalidInput
from services.orders.limits import MAX_ORDER_DOCUMENT_CHARS, MAX_ORDER_LINES
from services.orders.ports import LoadedOrder, OrderQuery
from services.outbox import OutboxMessage
from tests.fakes import FixedClock
from tests.support.ids import random_id, random_name

Tables = Callable[[str], Table]
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DESCRIPTION = (
    "Premium stainless steel widget, size M, colour graphite, with wall mounting kit and screws "
    "(10 pack)"
)
ADDRESS = Address(
    name="Jane Customer-Example", line1="1234 Long Industrial Parkway, Building 7, Suite 1200",
    line2="Attn: Receiving dock 14, rear entrance off Commerce Street", city="Springfield",
    state_or_province="IL", postal_code="62704-1234", country="US", phone="+1 217 555 0199",
    email="receiving.dock14@example-customer.com",
)  # fmt: skip


def make_line(number: int, description: str = DESCRIPTION) -> OrderLine:
    return OrderLine(
        line_id=f"L{number:04d}", line_number=number, external_line_id=f"ext-line-{number:06d}",
        product_id=f"SKU-{number:08d}", description=description, quantity=Decimal("12.5"),
        unit_price=Decimal("1234.567891"), discount=Decimal("10.10"), tax=Decimal("98.76"),
        requested_delivery_date=date(2026, 12, 1), company="USMF", shipping_site="SITE-01",
        shipping_warehouse="WH-0001", fulfillment_source="SRC-EAST",
    )  # fmt: skip


def make_order(
    order_id: str | None = None, lines: int = 2, *, channel: str = "web",
    created_at: datetime = T0, state: OrderState = OrderState.NEW, reason: str = "New",
) -> SalesOrder:  # fmt: skip
    return SalesOrder(
        order_id=order_id or random_id("o"), channel=channel, external_order_id=random_id("ext"),
        customer_id="C-000123", currency="USD", ship_to=ADDRESS, bill_to=ADDRESS,
        created_at=created_at, updated_at=created_at, state=state, reason=reason,
        lines=[make_line(n) for n in range(1, lines + 1)],
    )  # fmt: skip


def message(clock: FixedClock, message_id: str | None = None) -> OutboxMessage:
    return OutboxMessage(
        message_id=message_id or random_id("m"), queue="order-events", type="OrderReceived",
        data={"orderId": "o"}, occurred_at=clock.now(),
    )  # fmt: skip


def doc_chars(order: SalesOrder) -> int:
    return len(order.model_dump_json(by_alias=True))


def pad_to(order: SalesOrder, chars: int) -> SalesOrder:
    """Lengthen line descriptions (ASCII) until the document is exactly `chars` long."""
    extra = chars - doc_chars(order)
    assert extra >= 0
    share, rest = divmod(extra, len(order.lines))
    for index, line in enumerate(order.lines):
        line.description = (line.description or "") + "x" * (share + (rest if index == 0 else 0))
    assert doc_chars(order) == chars
    return order


def forged_tokens() -> list[str]:
    def encoded(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()

    return ["not a token!", encoded(["PartitionKey"]), encoded({"Other": "x"}),
            encoded({"PartitionKey": "a#b"})]  # fmt: skip


class OrderRepositoryContract:
    """Subclasses provide `tables` (name -> Table); each test gets fresh, uniquely named tables."""

    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock(T0)

    @pytest.fixture
    def index_table(self, tables: Tables) -> Table:
        table = tables(random_name("OutboxIndex"))
        table.create()
        return table

    @pytest.fixture
    def orders_table(self, tables: Tables) -> Table:
        table = tables(random_name("Orders"))
        table.create()
        return table

    @pytest.fixture
    def outbox(self, tables: Tables, clock: FixedClock, index_table: Table) -> TableOutbox:
        return TableOutbox(tables, clock, index_table.name)

    @pytest.fixture
    def repo(self, orders_table: Table, outbox: TableOutbox) -> TableOrderRepository:
        return TableOrderRepository(orders_table, outbox)

    # --- add and get ------------------------------------------------------------------------

    def test_add_then_get_round_trips_exactly_with_decimals(self, repo):
        order = make_order(lines=3)
        order.lines[0].unit_price = Decimal("0.10")
        order.lines[1].quantity = Decimal("1.000001")
        order.ship_to.name = "Zoë Ünicode 🚚"
        repo.add(order, [])

        loaded = repo.get(order.order_id)

        assert loaded.order == order
        assert str(loaded.order.lines[0].unit_price) == "0.10"
        assert str(loaded.order.lines[1].quantity) == "1.000001"
        assert isinstance(loaded.handle, OrderHandle)
        assert repo.get(random_id("missing")) is None

    def test_order_ids_with_key_forbidden_characters_are_stored(self, repo):
        order = make_order(order_id=f"web/{random_id()}#1?x\\y")
        repo.add(order, [])
        assert repo.get(order.order_id).order.order_id == order.order_id

    def test_adding_an_existing_order_raises_and_changes_nothing(self, repo, orders_table, clock):
        order = make_order()
        repo.add(order, [message(clock)])
        again = order.model_copy(deep=True)
        again.lines[0].description = "changed"
        again.raise_event(BusinessEvent.NEW_ORDER, T0)
        second = message(clock)

        with pytest.raises(EntityAlreadyExists):
            repo.add(again, [second])

        assert repo.get(order.order_id).order == order
        pk = escape_key(order.order_id)
        assert orders_table.get(pk, outbox_row_key(second.message_id)) is None
        assert repo.timeline(order.order_id) == []
        assert len(again.raised) == 1  # not stored, so not forgotten

    # --- save and concurrency ---------------------------------------------------------------

    def test_save_conflicts_when_another_writer_saved_first_and_writes_nothing(
        self, repo, orders_table, clock
    ):
        order = make_order()
        repo.add(order, [])
        first, second = repo.get(order.order_id), repo.get(order.order_id)
        first.order.lines[0].description = "first writer"
        repo.save(first, [])
        second.order.lines[0].description = "second writer"
        second.order.raise_event(BusinessEvent.ORDER_CANCELED, T0)
        late = message(clock)

        with pytest.raises(ConcurrencyConflict):
            repo.save(second, [late])

        assert repo.get(order.order_id).order.lines[0].description == "first writer"
        assert repo.timeline(order.order_id) == []
        assert orders_table.get(escape_key(order.order_id), outbox_row_key(late.message_id)) is None
        assert len(second.order.raised) == 1

    def test_save_refreshes_the_handle_so_the_same_loaded_order_saves_again(self, repo):
        order = make_order()
        repo.add(order, [])
        loaded = repo.get(order.order_id)
        for text in ("one", "two"):
            loaded.order.lines[0].description = text
            repo.save(loaded, [])
        assert repo.get(order.order_id).order.lines[0].description == "two"

    def test_save_of_an_order_not_loaded_by_the_repository_is_refused(self, repo):
        with pytest.raises(TypeError):
            repo.save(LoadedOrder(make_order()), [])

    # --- timeline and outbox ----------------------------------------------------------------

    def test_raised_events_join_the_timeline_in_order_and_are_cleared(self, repo):
        order = make_order()
        order.raise_event(BusinessEvent.NEW_ORDER, T0, source="web")
        repo.add(order, [])
        assert order.raised == []
        loaded = repo.get(order.order_id)
        loaded.order.raise_event(BusinessEvent.HEADER_VALIDATION_SUCCEEDED, T0 + timedelta(1))
        loaded.order.raise_event(BusinessEvent.LINES_VALIDATION_SUCCEEDED, T0 + timedelta(2))
        repo.save(loaded, [])

        timeline = repo.timeline(order.order_id)

        assert [(e.sequence, e.event) for e in timeline] == [
            (1, BusinessEvent.NEW_ORDER),
            (2, BusinessEvent.HEADER_VALIDATION_SUCCEEDED),
            (3, BusinessEvent.LINES_VALIDATION_SUCCEEDED),
        ]
        assert timeline[0].source == "web"
        assert loaded.order.raised == []

    def test_an_event_longer_than_a_string_property_is_kept_whole(self, repo):
        order = make_order()
        order.raise_event(BusinessEvent.NEW_ORDER, T0, details="d" * 70_000)
        repo.add(order, [])
        assert repo.timeline(order.order_id)[0].details == "d" * 70_000

    def test_messages_are_staged_in_the_order_partition(self, repo, orders_table, outbox, clock):
        order = make_order()
        messages = [message(clock), message(clock)]
        records = repo.add(order, messages)

        assert [r.message for r in records] == messages
        for m in messages:
            assert orders_table.get(escape_key(order.order_id), outbox_row_key(m.message_id))
        due = outbox.due(clock.now() + timedelta(seconds=1), 10)
        assert {e.message_id for e in due} == {m.message_id for m in messages}

    # --- request counts ---------------------------------------------------------------------

    def test_a_small_order_costs_two_requests_to_add_and_one_to_get(
        self, repo, orders_table, index_table, clock
    ):
        def requests() -> int:
            return orders_table.request_count + index_table.request_count

        order = make_order(lines=5)
        before = requests()
        repo.add(order, [message(clock)])
        added = requests()
        repo.get(order.order_id)
        assert (added - before, requests() - added) == (2, 1)

    # --- size limits ------------------------------------------------------------------------

    def test_the_largest_order_stores_loads_and_saves_changes_in_place(self, repo, orders_table):
        order = make_order(lines=MAX_ORDER_LINES)
        order.raise_event(BusinessEvent.NEW_ORDER, T0)
        repo.add(order, [])
        pk = escape_key(order.order_id)
        loaded = repo.get(order.order_id)
        assert loaded.order == order
        count = len(loaded.handle.chunk_digests)
        assert count >= 1
        rows = [orders_table.get(pk, HEADER_ROW)] + chunk_rows(orders_table, pk, count)
        assert all(entity_size(row) < MAX_ENTITY_BYTES for row in rows)

        loaded.order.lines[0].quantity = Decimal("13.5")  # same length: only the header changes
        repo.save(loaded, [])
        assert [r.etag for r in chunk_rows(orders_table, pk, count)] == [r.etag for r in rows[1:]]
        loaded.order.lines[-1].description = "the last line changed"
        repo.save(loaded, [])
        assert repo.get(order.order_id).order == loaded.order

    def test_a_growing_and_a_shrinking_order_adds_and_deletes_chunk_rows(self, repo, orders_table):
        order = make_order(lines=MAX_ORDER_LINES)
        repo.add(order, [])
        loaded = repo.get(order.order_id)
        before = len(loaded.handle.chunk_digests)

        for line in loaded.order.lines:
            line.description = DESCRIPTION * 5
        repo.save(loaded, [])
        grown = len(loaded.handle.chunk_digests)
        assert grown > before
        assert repo.get(order.order_id).order == loaded.order

        del loaded.order.lines[10:]
        repo.save(loaded, [])
        pk = escape_key(order.order_id)
        assert loaded.handle.chunk_digests == ()
        assert [orders_table.get(pk, chunk_row_key(i)) for i in range(1, grown + 1)] == [
            None
        ] * grown
        assert repo.get(order.order_id).order == loaded.order

    def test_a_document_of_exactly_the_limit_is_stored_and_one_more_is_refused(
        self, repo, orders_table
    ):
        order = pad_to(make_order(lines=MAX_ORDER_LINES), MAX_ORDER_DOCUMENT_CHARS)
        repo.add(order, [])
        loaded = repo.get(order.order_id)
        assert loaded.order == order
        pk, count = escape_key(order.order_id), len(loaded.handle.chunk_digests)
        assert count >= 2
        before = chunk_rows(orders_table, pk, count)

        loaded.order.lines[-1].quantity = Decimal("13.5")  # same length: only the tail changes
        repo.save(loaded, [])
        after = chunk_rows(orders_table, pk, count)
        assert [r.etag for r in after[:-1]] == [r.etag for r in before[:-1]]
        assert after[-1].etag != before[-1].etag
        assert repo.get(order.order_id).order == loaded.order

        bigger = pad_to(make_order(lines=MAX_ORDER_LINES), MAX_ORDER_DOCUMENT_CHARS + 1)
        with pytest.raises(OrderTooLarge, match="characters"):
            repo.add(bigger, [])

    def test_an_order_over_the_limits_is_refused_before_anything_is_written(
        self, repo, index_table, clock
    ):
        too_many = make_order(lines=MAX_ORDER_LINES + 1)
        with pytest.raises(OrderTooLarge, match="lines") as raised:
            repo.add(too_many, [message(clock)])
        assert isinstance(raised.value, ValueError)
        assert isinstance(raised.value, InvalidInput)
        assert repo.get(too_many.order_id) is None
        assert index_table.request_count == 0

    def test_text_too_large_once_escaped_is_refused(self, repo):
        order = make_order(lines=MAX_ORDER_LINES)
        for line in order.lines:
            line.description = "€" * 600  # 6 bytes each on the wire
        assert doc_chars(order) < MAX_ORDER_DOCUMENT_CHARS
        with pytest.raises(OrderTooLarge, match="escaped"):
            repo.add(order, [])
        assert repo.get(order.order_id) is None

    def test_a_save_that_outgrows_the_limit_is_refused_and_the_order_kept(self, repo):
        order = make_order(lines=3)
        repo.add(order, [])
        loaded = repo.get(order.order_id)
        loaded.order.lines[0].description = "x" * MAX_ORDER_DOCUMENT_CHARS
        with pytest.raises(OrderTooLarge):
            repo.save(loaded, [])
        assert repo.get(order.order_id).order == order

    def test_too_many_rows_for_one_transaction_are_refused_before_staging(
        self, repo, index_table, clock
    ):
        order = make_order()
        for _ in range(99):
            order.raise_event(BusinessEvent.NEW_ORDER, T0)
        with pytest.raises(StorageLimitExceeded, match="at most 100"):
            repo.add(order, [message(clock)])
        assert index_table.request_count == 0

    def test_a_chunk_row_newer_than_its_header_is_never_served(self, repo, orders_table):
        order = make_order(lines=MAX_ORDER_LINES)
        repo.add(order, [])
        pk = escape_key(order.order_id)
        stray = Entity(pk, chunk_row_key(1), {"Kind": "doc", "D15": "tampered"})
        orders_table.upsert(stray, UpdateMode.REPLACE)
        with pytest.raises(ConcurrencyConflict, match="kept changing"):
            repo.get(order.order_id)

    # --- list -------------------------------------------------------------------------------

    @pytest.fixture
    def five(self, repo) -> list[SalesOrder]:
        orders = [
            make_order("o-1", created_at=T0, channel="web"),
            make_order("o-2", created_at=T0 + timedelta(hours=1), channel="erp",
                       state=OrderState.ON_HOLD, reason="Backorder Hold"),
            make_order("o-3", created_at=T0 + timedelta(hours=2), channel="web",
                       state=OrderState.ON_HOLD, reason="Customer's hold"),
            make_order("o-4", created_at=T0 + timedelta(hours=3), channel="erp"),
            make_order("o-5", created_at=T0 + timedelta(hours=4), channel="web",
                       state=OrderState.CANCELED, reason="Canceled"),
        ]  # fmt: skip
        for order in orders:
            repo.add(order, [])
        return orders

    def listed(self, repo, query: OrderQuery, limit: int = 2) -> list[list[str]]:
        pages, token = [], None
        while True:
            page = repo.list(query, token, limit)
            pages.append([summary.order_id for summary in page.orders])
            if (token := page.continuation) is None:
                return pages

    def test_list_pages_through_every_order_with_continuations(self, repo, five):
        assert self.listed(repo, OrderQuery()) == [["o-1", "o-2"], ["o-3", "o-4"], ["o-5"]]

    def test_list_summaries_carry_the_header_columns(self, repo, five):
        summary = repo.list(OrderQuery(channel="erp"), None, 1).orders[0]
        assert (summary.order_id, summary.channel, summary.state, summary.reason) == (
            "o-2", "erp", "On Hold", "Backorder Hold",
        )  # fmt: skip
        assert summary.created_at == T0 + timedelta(hours=1)
        assert (summary.line_count, summary.currency) == (2, "USD")
        assert summary.external_order_id == five[1].external_order_id

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            (OrderQuery(state=OrderState.ON_HOLD), ["o-2", "o-3"]),
            (OrderQuery(reason="Customer's hold"), ["o-3"]),
            (OrderQuery(channel="web"), ["o-1", "o-3", "o-5"]),
            (OrderQuery(created_from=T0 + timedelta(hours=1),
                        created_to=T0 + timedelta(hours=3)), ["o-2", "o-3", "o-4"]),
            (OrderQuery(created_from=datetime(2026, 11, 23, 14, 0)), ["o-3", "o-4", "o-5"]),
            (OrderQuery(channel="web", state=OrderState.ON_HOLD), ["o-3"]),
            (OrderQuery(channel="nobody"), []),
        ],
    )  # fmt: skip
    def test_list_filters_combine(self, repo, five, query, expected):
        assert sum(self.listed(repo, query), []) == expected

    @pytest.mark.parametrize("token", forged_tokens())
    def test_list_refuses_a_forged_continuation(self, repo, five, token):
        with pytest.raises(InvalidContinuation) as raised:
            repo.list(OrderQuery(), token, 2)
        assert isinstance(raised.value, ValueError)
        assert raised.value.field == "continuation"


def chunk_rows(table: Table, pk: str, count: int) -> list[Entity]:
    return [table.get(pk, chunk_row_key(i)) for i in range(1, count + 1)]


class TableScanContract:
    """Table.scan_page over any partition; subclasses provide `make_table` (created, fresh)."""

    @pytest.fixture
    def table(self, make_table):
        table = make_table()
        for pk in ("a", "b"):
            for rk in ("1", "2", "3"):
                kind = "odd" if int(rk) % 2 else "even"
                table.insert(Entity(pk, rk, {"Kind": kind, "Label": f"{pk}{rk}", "Blob": b"x"}))
        return table

    def scan(self, table, expression, page_size, select=None):
        keys, token = [], None
        while True:
            page = table.scan_page(
                expression, page_size=page_size, continuation=token, select=select
            )
            keys += [(e.partition_key, e.row_key) for e in page.entities]
            if (token := page.continuation) is None:
                return keys

    def test_scan_filters_across_partitions_in_key_order_a_page_at_a_time(self, table):
        odd = [("a", "1"), ("a", "3"), ("b", "1"), ("b", "3")]
        assert self.scan(table, "Kind eq 'odd'", 1) == odd
        assert self.scan(table, "Kind eq 'odd'", 1000) == odd
        assert self.scan(table, "PartitionKey eq 'b' and RowKey ge '2'", 1) == [
            ("b", "2"), ("b", "3"),
        ]  # fmt: skip

    def test_scan_select_returns_only_the_chosen_properties(self, table):
        page = table.scan_page("Label eq 'b2'", select=["Label", "Missing"])
        assert [(e.row_key, dict(e.properties)) for e in page.entities] == [("2", {"Label": "b2"})]

    @pytest.mark.parametrize("token", forged_tokens())
    def test_scan_refuses_forged_tokens(self, table, token):
        with pytest.raises(InvalidContinuation):
            table.scan_page("Kind eq 'odd'", continuation=token)

    def test_scan_with_an_invalid_filter_is_refused(self, table):
        with pytest.raises(StorageLimitExceeded):
            table.scan_page("Kind eq eq")
