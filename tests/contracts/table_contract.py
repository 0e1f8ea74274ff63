"""Behaviour of the Table port, run against MemoryTable and against AzureTable on Azurite."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.storage.entities import (
    INT64_MAX,
    INT64_MIN,
    MAX_KEY_CHARS,
    MAX_STRING_CHARS,
    Delete,
    Entity,
    Insert,
    StorageLimitExceeded,
    Update,
    UpdateMode,
    Upsert,
)
from adapters.storage.keys import escape_key, unescape_key
from services.errors import ConcurrencyConflict, EntityAlreadyExists, StorageUnavailable
from tests.support.ids import random_id

EVERY_TYPE = {
    "text": "héllo wörld ✓ 'quoted'",
    "empty": "",
    "small": 7,
    "zero": 0,
    "negative": -(2**40),
    "big": 2**31,
    "int64_max": INT64_MAX,
    "int64_min": INT64_MIN,
    "ratio": 1.5,
    "whole": 2.0,
    "yes": True,
    "no": False,
    "when": datetime(2026, 11, 23, 10, 54, 3, 17935, tzinfo=UTC),
    "blob": bytes(range(256)),
    "id": uuid.UUID("a455c695-df98-5678-aaaa-81d3367e5a34"),
}


def rows(table, pk, **bounds):
    return list(table.query(pk, **bounds))


def batch_of_inserts(pk, count, start=0):
    return [Insert(Entity(pk, f"{i:03d}", {"n": i})) for i in range(start, start + count)]


class TableContract:
    """Subclasses provide `make_table`: a factory of new, uniquely named tables.

    `make_table()` returns a created table; `make_table(create=False)` one that does not exist.
    Tables expose `request_count`, one per storage request, so both count alike.
    """

    @pytest.fixture
    def table(self, make_table):
        return make_table()

    # --- reads and writes -------------------------------------------------------------------

    def test_every_value_type_round_trips_with_its_python_type(self, table):
        pk = random_id("p")
        written = table.insert(Entity(pk, "r", EVERY_TYPE))
        found = table.get(pk, "r")

        assert found.properties == EVERY_TYPE
        assert {k: type(v) for k, v in found.properties.items()} == {
            k: type(v) for k, v in EVERY_TYPE.items()
        }
        assert found.properties["when"].tzinfo == UTC
        assert found.etag == written.etag is not None

    def test_datetimes_come_back_as_the_same_instant_in_utc(self, table):
        pk = random_id("p")
        local = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
        table.insert(Entity(pk, "r", {"at": local}))
        found = table.get(pk, "r").properties["at"]
        assert found == local
        assert found.utcoffset() == timedelta(0)
        assert type(found) is datetime

    def test_get_of_a_missing_entity_is_none(self, table):
        assert table.get(random_id("p"), "nothing") is None

    def test_insert_of_an_existing_key_fails_and_keeps_the_first(self, table):
        pk = random_id("p")
        table.insert(Entity(pk, "r", {"v": "first"}))
        with pytest.raises(EntityAlreadyExists):
            table.insert(Entity(pk, "r", {"v": "second"}))
        assert table.get(pk, "r").properties == {"v": "first"}

    def test_every_write_changes_the_etag(self, table):
        pk = random_id("p")
        etags = [table.insert(Entity(pk, "r", {"v": 1})).etag]
        etags.append(table.update(Entity(pk, "r", {"v": 2}, etags[-1])).etag)
        etags.append(table.upsert(Entity(pk, "r", {"v": 3})).etag)
        etags.append(table.update(Entity(pk, "r", {"v": 4})).etag)
        assert len(set(etags)) == 4
        assert table.get(pk, "r").etag == etags[-1]

    # --- optimistic concurrency -------------------------------------------------------------

    def test_concurrent_updates_with_the_same_etag_let_only_the_first_win(self, table):
        pk = random_id("p")
        table.insert(Entity(pk, "stock", {"qty": 10}))
        first, second = table.get(pk, "stock"), table.get(pk, "stock")

        table.update(Entity(pk, "stock", {"qty": 9}, first.etag))
        with pytest.raises(ConcurrencyConflict):
            table.update(Entity(pk, "stock", {"qty": 8}, second.etag))
        assert table.get(pk, "stock").properties["qty"] == 9

    def test_delete_with_a_stale_etag_fails_and_keeps_the_entity(self, table):
        pk = random_id("p")
        table.insert(Entity(pk, "r", {"v": 1}))
        first, second = table.get(pk, "r"), table.get(pk, "r")
        table.update(Entity(pk, "r", {"v": 2}, first.etag))

        with pytest.raises(ConcurrencyConflict):
            table.delete(pk, "r", second.etag)
        assert table.get(pk, "r").properties["v"] == 2
        table.delete(pk, "r", table.get(pk, "r").etag)
        assert table.get(pk, "r") is None

    def test_update_of_a_missing_entity_is_a_conflict(self, table):
        pk = random_id("p")
        with pytest.raises(ConcurrencyConflict):
            table.update(Entity(pk, "gone", {"v": 1}))
        with pytest.raises(ConcurrencyConflict):
            table.update(Entity(pk, "gone", {"v": 1}, table.insert(Entity(pk, "x")).etag))
        assert table.get(pk, "gone") is None

    def test_delete_of_a_missing_entity_is_a_no_op(self, table):
        pk = random_id("p")
        etag = table.insert(Entity(pk, "r")).etag
        table.delete(pk, "r")
        table.delete(pk, "r")
        table.delete(pk, "r", etag)
        assert table.get(pk, "r") is None

    def test_read_modify_write_loops_never_lose_an_increment(self, table):
        pk, workers, rounds = random_id("p"), 4, 3
        table.insert(Entity(pk, "counter", {"n": 0}))

        def work():
            for _ in range(rounds):
                while True:
                    current = table.get(pk, "counter")
                    n = current.properties["n"] + 1
                    try:
                        table.update(Entity(pk, "counter", {"n": n}, current.etag))
                        break
                    except ConcurrencyConflict:
                        continue

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert table.get(pk, "counter").properties["n"] == workers * rounds

    # --- merge and replace ------------------------------------------------------------------

    def test_merge_keeps_other_properties_and_replace_drops_them(self, table):
        pk = random_id("p")
        table.insert(Entity(pk, "r", {"a": 1, "b": "two"}))
        table.update(Entity(pk, "r", {"b": "deux", "c": 3.0}), UpdateMode.MERGE)
        assert table.get(pk, "r").properties == {"a": 1, "b": "deux", "c": 3.0}
        table.update(Entity(pk, "r", {"c": 4.0}), UpdateMode.REPLACE)
        assert table.get(pk, "r").properties == {"c": 4.0}

    def test_upsert_inserts_then_merges_or_replaces(self, table):
        pk = random_id("p")
        table.upsert(Entity(pk, "r", {"a": 1}))
        table.upsert(Entity(pk, "r", {"b": 2}))
        assert table.get(pk, "r").properties == {"a": 1, "b": 2}
        table.upsert(Entity(pk, "r", {"c": 3}), UpdateMode.REPLACE)
        assert table.get(pk, "r").properties == {"c": 3}

    # --- transactions -----------------------------------------------------------------------

    def test_a_100_operation_transaction_commits_every_entity(self, table):
        pk = random_id("p")
        etags = table.submit(batch_of_inserts(pk, 100))
        stored = rows(table, pk)
        assert [e.row_key for e in stored] == [f"{i:03d}" for i in range(100)]
        assert etags == [e.etag for e in stored]

    def test_a_transaction_mixes_operations_and_returns_their_etags(self, table):
        pk = random_id("p")
        table.submit(batch_of_inserts(pk, 3))
        current = table.get(pk, "001")
        etags = table.submit([
            Insert(Entity(pk, "new", {"n": 9})),
            Update(Entity(pk, "001", {"m": 1}, current.etag)),
            Upsert(Entity(pk, "002", {"n": 20}), UpdateMode.REPLACE),
            Delete(pk, "000"),
        ])  # fmt: skip
        assert etags[3] is None
        assert etags[:3] == [table.get(pk, rk).etag for rk in ("new", "001", "002")]
        assert table.get(pk, "001").properties == {"n": 1, "m": 1}
        assert table.get(pk, "000") is None

    def test_one_failing_operation_fails_the_whole_transaction_and_names_it(self, table):
        pk = random_id("p")
        table.insert(Entity(pk, "057", {"n": -1}))
        with pytest.raises(EntityAlreadyExists, match=r"\b57\b"):
            table.submit(batch_of_inserts(pk, 100))
        assert [(e.row_key, e.properties) for e in rows(table, pk)] == [("057", {"n": -1})]

    def test_a_stale_etag_in_a_transaction_is_a_conflict_and_writes_nothing(self, table):
        pk = random_id("p")
        old = table.insert(Entity(pk, "r", {"v": 1}))
        table.update(Entity(pk, "r", {"v": 2}, old.etag))
        with pytest.raises(ConcurrencyConflict, match=r"\b1\b"):
            table.submit([Insert(Entity(pk, "a")), Update(Entity(pk, "r", {"v": 3}, old.etag))])
        with pytest.raises(ConcurrencyConflict):
            table.submit([Insert(Entity(pk, "a")), Delete(pk, "r", old.etag)])
        assert [e.row_key for e in rows(table, pk)] == ["r"]
        assert table.get(pk, "r").properties["v"] == 2

    def test_a_missing_entity_fails_an_update_or_delete_in_a_transaction(self, table):
        pk = random_id("p")
        for missing in (Update(Entity(pk, "gone", {"v": 1})), Delete(pk, "gone")):
            with pytest.raises(ConcurrencyConflict):
                table.submit([Insert(Entity(pk, "a")), missing])
        assert rows(table, pk) == []

    @pytest.mark.parametrize(
        "operations",
        [
            pytest.param(lambda pk: batch_of_inserts(pk, 101), id="101-operations"),
            pytest.param(
                lambda pk: [Insert(Entity(pk, "a")), Insert(Entity(pk + "x", "b"))],
                id="two-partitions",
            ),
            pytest.param(
                lambda pk: [Insert(Entity(pk, "a")), Upsert(Entity(pk, "a", {"v": 1}))],
                id="duplicate-row",
            ),
            pytest.param(
                lambda pk: [Insert(Entity(pk, "a")), Insert(Entity(pk, "b", {"s": "x" * 33_000}))],
                id="string-too-long",
            ),
        ],
    )
    def test_a_transaction_breaking_a_limit_is_refused_before_sending(self, table, operations):
        pk = random_id("p")
        before = table.request_count
        with pytest.raises(StorageLimitExceeded):
            table.submit(operations(pk))
        assert table.request_count == before
        assert rows(table, pk) == []
        assert rows(table, pk + "x") == []

    def test_an_empty_transaction_does_nothing(self, table):
        before = table.request_count
        assert table.submit([]) == []
        assert table.request_count == before

    # --- paging -----------------------------------------------------------------------------

    def test_pages_cover_every_entity_in_key_order(self, table):
        pk = random_id("p")
        table.submit(batch_of_inserts(pk, 25))
        table.insert(Entity(pk + "-other", "000"))

        pages, continuation = [], None
        while True:
            page = table.query_page(pk, page_size=10, continuation=continuation)
            pages.append([e.row_key for e in page.entities])
            if (continuation := page.continuation) is None:
                break
        assert [len(p) for p in pages] == [10, 10, 5]
        assert sum(pages, []) == [f"{i:03d}" for i in range(25)]
        assert [e.row_key for e in rows(table, pk)] == sum(pages, [])

    def test_pages_respect_row_key_bounds(self, table):
        pk = random_id("p")
        table.submit(batch_of_inserts(pk, 30))
        first = table.query_page(pk, row_key_from="005", row_key_before="020", page_size=10)
        rest = table.query_page(
            pk, row_key_from="005", row_key_before="020", page_size=10,
            continuation=first.continuation,
        )  # fmt: skip
        keys = [e.row_key for e in first.entities + rest.entities]
        assert keys == [f"{i:03d}" for i in range(5, 20)]
        assert rest.continuation is None
        assert [e.row_key for e in rows(table, pk, row_key_from="027")] == ["027", "028", "029"]
        assert [e.row_key for e in rows(table, pk, row_key_before="002")] == ["000", "001"]

    def test_a_page_of_an_empty_partition_is_empty_and_final(self, table):
        page = table.query_page(random_id("p"), page_size=5)
        assert (page.entities, page.continuation) == ([], None)

    @pytest.mark.parametrize("page_size", [0, 1001])
    def test_page_size_is_limited_to_1_to_1000(self, table, page_size):
        with pytest.raises(StorageLimitExceeded):
            table.query_page(random_id("p"), page_size=page_size)

    def test_a_foreign_continuation_is_rejected(self, table):
        with pytest.raises(ValueError, match="continuation"):
            table.query_page(random_id("p"), continuation="not a token")

    # --- keys and limits --------------------------------------------------------------------

    def test_escaped_keys_round_trip_through_storage(self, table):
        raw = ["a/b", "back\\slash", "#hash?", "100%", "pipe|d", "tab\there\x7f\x9f", "ünï ✓"]
        pk = escape_key(random_id("p/") + "#")
        for original in raw:
            table.insert(Entity(pk, escape_key(original), {"raw": original}))
        for original in raw:
            assert table.get(pk, escape_key(original)).properties["raw"] == original
        assert sorted(unescape_key(e.row_key) for e in rows(table, pk)) == sorted(raw)

    @pytest.mark.parametrize(
        "bad_key", ["a/b", "a\\b", "a#b", "a?b", "a\x00b", "a\x1fb", "a\x7fb", "a\x9fb"]
    )
    def test_forbidden_key_characters_are_refused_before_sending(self, table, bad_key):
        before = table.request_count
        with pytest.raises(StorageLimitExceeded):
            table.insert(Entity(random_id("p"), bad_key))
        with pytest.raises(StorageLimitExceeded):
            table.insert(Entity(bad_key, "r"))
        with pytest.raises(StorageLimitExceeded):
            table.get("p", bad_key)
        with pytest.raises(StorageLimitExceeded):
            table.delete("p", bad_key)
        assert table.request_count == before

    def test_keys_up_to_the_limit_are_stored_and_longer_ones_refused(self, table):
        pk = random_id("p")
        longest = "k" * MAX_KEY_CHARS
        table.insert(Entity(pk, longest))
        assert table.get(pk, longest) is not None
        with pytest.raises(StorageLimitExceeded):
            table.insert(Entity(pk, longest + "k"))

    def test_strings_up_to_32k_characters_are_stored_and_longer_ones_refused(self, table):
        pk = random_id("p")
        table.insert(Entity(pk, "max", {"s": "x" * MAX_STRING_CHARS}))
        assert len(table.get(pk, "max").properties["s"]) == MAX_STRING_CHARS
        with pytest.raises(StorageLimitExceeded):
            table.insert(Entity(pk, "over", {"s": "x" * 33_000}))
        assert table.get(pk, "over") is None

    def test_252_properties_are_stored_and_253_refused(self, table):
        pk = random_id("p")
        table.insert(Entity(pk, "max", {f"p{i}": i for i in range(252)}))
        assert len(table.get(pk, "max").properties) == 252
        with pytest.raises(StorageLimitExceeded):
            table.insert(Entity(pk, "over", {f"p{i}": i for i in range(253)}))
        assert table.get(pk, "over") is None

    @pytest.mark.parametrize(
        "properties",
        [
            pytest.param({"b": b"x" * (64 * 1024 + 1)}, id="binary-over-64KiB"),
            pytest.param({f"s{i}": "x" * 32_000 for i in range(17)}, id="entity-over-1MiB"),
            pytest.param({"n": 2**63}, id="int-over-int64"),
            pytest.param({"n": -(2**63) - 1}, id="int-under-int64"),
            pytest.param({"at": datetime(2026, 1, 1)}, id="naive-datetime"),
            pytest.param({"at": datetime(1600, 12, 31, tzinfo=UTC)}, id="datetime-before-1601"),
            pytest.param({"bad-name": 1}, id="dash-in-name"),
            pytest.param({"1st": 1}, id="digit-first"),
            pytest.param({"": 1}, id="empty-name"),
            pytest.param({"RowKey": "x"}, id="reserved-name"),
            pytest.param({"n" * 256: 1}, id="name-over-255"),
            pytest.param({"v": None}, id="none"),
            pytest.param({"v": [1, 2]}, id="list"),
        ],
    )
    def test_entities_breaking_a_limit_are_refused_and_nothing_is_written(self, table, properties):
        pk = random_id("p")
        before = table.request_count
        for write in (table.insert, table.upsert):
            with pytest.raises(StorageLimitExceeded):
                write(Entity(pk, "r", properties))
        assert table.request_count == before
        assert table.get(pk, "r") is None

    # --- the table itself -------------------------------------------------------------------

    def test_a_table_that_does_not_exist_is_unavailable(self, make_table):
        table = make_table(create=False)
        for call in (
            lambda: table.get("p", "r"),
            lambda: table.insert(Entity("p", "r")),
            lambda: table.submit([Insert(Entity("p", "r"))]),
            lambda: table.query_page("p"),
        ):
            with pytest.raises(StorageUnavailable):
                call()
        table.create()
        table.create()
        assert table.get("p", "r") is None

    def test_each_storage_request_is_counted_once(self, table):
        pk = random_id("p")
        start = table.request_count
        table.insert(Entity(pk, "r"))
        table.get(pk, "r")
        table.update(Entity(pk, "r", {"v": 1}))
        table.upsert(Entity(pk, "r", {"v": 2}))
        table.delete(pk, "r")
        table.submit(batch_of_inserts(pk, 25))
        assert table.request_count - start == 6
        assert len(rows(table, pk)) == 25
        assert table.request_count - start == 7
        pages_before = table.request_count
        page = table.query_page(pk, page_size=10)
        while page.continuation:
            page = table.query_page(pk, page_size=10, continuation=page.continuation)
        assert table.request_count - pages_before == 3
