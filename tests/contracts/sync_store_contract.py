"""Behaviour of the sync engine's Table Storage stores, on memory tables and on Azurite."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.storage.sync import TableSyncLinks, TableSyncMapStore
from adapters.storage.sync_maps import version_key, versions_of
from domain.sync.maps import ColumnMap, SyncMap
from services.sync.ports import LinkConflict, StoredMap, SyncLink
from tests.contracts.sync_status_contract import (
    HEADERS,
    ODD_NAMES,
    T0,
    SyncStatusContract,
    run_together,
)


def sync_map(name: str = HEADERS, version: int = 1, columns: int = 2, **changes: object) -> SyncMap:
    """A valid map; `columns` beyond the key pad it out to any size."""
    extra = [
        ColumnMap(source=f"src_{n}_{uuid.uuid4().hex}", symbol="=", target=f"dst_{n}")
        for n in range(columns - 1)
    ]
    return SyncMap.model_validate(
        {
            "name": name,
            "target_system": "fno",
            "source_entity": "salesorders",
            "target_entity": "CDS sales order headers",
            "version": version,
            "key_fields": ["msdyn_salesordernumber"],
            "columns": [
                ColumnMap(source="msdyn_salesordernumber", symbol="=", target="SalesOrderNumber"),
                *extra,
            ],
            **changes,
        }
    )


class SyncStoreContract(SyncStatusContract):
    """Every sync store; subclasses provide `make_table`, a factory of created, unique tables."""

    @pytest.fixture
    def table(self, make_table):
        return make_table()

    @pytest.fixture
    def links(self, table) -> TableSyncLinks:
        return TableSyncLinks(table)

    @pytest.fixture
    def maps(self, table) -> TableSyncMapStore:
        return TableSyncMapStore(table)

    # Links

    def test_a_saved_link_reads_back_with_every_field_and_type(self, links):
        key = {"SalesOrderNumber": "SO-1", "Amount": Decimal("10.50"), "Line": 3}
        key |= {"At": T0, "Id": uuid.UUID(int=7), "Open": True, "Blank": None, "Rate": 1.5}
        link = SyncLink(HEADERS, "o-1", key, 'W/"1"', {"a": "1"}, {"b": "x"}, "fno", T0, "bad line")

        saved = links.save(link)

        assert saved.etag is not None
        assert links.get(HEADERS, "o-1") == saved
        assert links.get(HEADERS, "o-2") is None
        assert links.get("other map", "o-1") is None
        assert isinstance(saved.target_key["Amount"], Decimal)

    def test_for_order_returns_the_header_and_line_links_on_every_map(self, links):
        for map_name, record in [(HEADERS, "o/1"), ("lines", "o/1/l-1"), ("lines", "o/1/l-2")]:
            links.save(SyncLink(map_name, record))
        links.save(SyncLink(HEADERS, "o-2"))

        found = links.for_order("o")

        assert sorted((k.map_name, k.record_id) for k in found) == [
            (HEADERS, "o/1"), ("lines", "o/1/l-1"), ("lines", "o/1/l-2"),
        ]  # fmt: skip
        assert all(k.etag is not None for k in found)
        assert links.for_order("nobody") == []

    def test_find_uses_the_reverse_index_whatever_the_value_spelling(self, links):
        links.save(SyncLink(HEADERS, "o-1", {"dataAreaId": "usmf", "No": 10}))
        links.save(SyncLink(HEADERS, "o-2", {"dataAreaId": "usmf", "No": 11}))

        found = links.find(HEADERS, {"No": Decimal("10.00"), "dataAreaId": "usmf"})

        assert found is not None
        assert found.record_id == "o-1"
        assert links.find(HEADERS, {"dataAreaId": "usmf", "No": 12}) is None
        assert links.find("lines", {"dataAreaId": "usmf", "No": 10}) is None
        assert links.find(HEADERS, {}) is None

    def test_find_follows_a_changed_target_key(self, links):
        first = links.save(SyncLink(HEADERS, "o-1", {"No": "A"}))
        links.save(replace(first, target_key={"No": "B"}))

        assert links.find(HEADERS, {"No": "A"}) is None
        moved = links.find(HEADERS, {"No": "B"})
        assert moved is not None
        assert moved.record_id == "o-1"

    def test_two_link_saves_from_the_same_read_the_second_conflicts(self, links):
        read = links.save(SyncLink(HEADERS, "o-1", {"No": "A"}))
        links.save(replace(read, origin="hub"))

        with pytest.raises(LinkConflict):
            links.save(replace(read, target_key={"No": "Z"}, origin="fno"))

        kept = links.get(HEADERS, "o-1")
        assert kept is not None
        assert kept.origin == "hub"
        # The losing save's index row points at a link that does not hold its key.
        assert links.find(HEADERS, {"No": "Z"}) is None
        assert links.find(HEADERS, {"No": "A"}) == kept

    def test_inserting_an_existing_link_or_replacing_a_missing_one_conflicts(self, links):
        links.save(SyncLink(HEADERS, "o-1"))

        with pytest.raises(LinkConflict):
            links.save(SyncLink(HEADERS, "o-1"))
        with pytest.raises(LinkConflict):
            links.save(SyncLink(HEADERS, "o-9", etag='W/"gone"'))

    def test_a_replace_drops_cleared_fields(self, links):
        read = links.save(SyncLink(HEADERS, "o-1", error="boom", target_version="v1", origin="x"))

        links.save(replace(read, error=None, target_version=None, origin=None))

        cleared = links.get(HEADERS, "o-1")
        assert cleared is not None
        assert (cleared.error, cleared.target_version, cleared.origin) == (None, None, None)

    def test_long_values_round_trip_and_a_long_error_is_cut(self, links):
        values = {f"field_{n}": "x" * 500 for n in range(200)}  # ~100K characters of JSON
        links.save(SyncLink(HEADERS, "o-1", source_values=values, error="e" * 100_000))

        stored = links.get(HEADERS, "o-1")

        assert stored is not None
        assert stored.source_values == values
        assert stored.error is not None
        assert stored.error.endswith(" [cut]")
        assert len(stored.error) <= 16_384

    @pytest.mark.parametrize("map_name", ODD_NAMES)
    def test_any_map_name_and_record_id_is_a_legal_key(self, links, map_name):
        record = "o/#?\\|%1/line 1"
        links.save(SyncLink(map_name, record, {"No": "a/b#c?"}))

        assert links.get(map_name, record) is not None
        assert [k.record_id for k in links.for_order("o")] == [record]
        found = links.find(map_name, {"No": "a/b#c?"})
        assert found is not None
        assert found.map_name == map_name

    def test_naive_synced_at_is_taken_as_utc(self, links):
        links.save(SyncLink(HEADERS, "o-1", synced_at=datetime(2026, 1, 2, 3, 4, 5, 678)))

        stored = links.get(HEADERS, "o-1")
        assert stored is not None
        assert stored.synced_at == datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC)

    # Maps

    def test_maps_are_versioned_and_listed(self, maps):
        assert maps.get(HEADERS) is None
        assert maps.all() == []
        assert maps.versions(HEADERS) == []

        first = maps.save(StoredMap(sync_map(version=1), T0))
        maps.save(StoredMap(sync_map(version=2, enabled=False), T0 + timedelta(minutes=1)))
        maps.save(StoredMap(sync_map("lines", version=1), T0))

        current = maps.get(HEADERS)
        assert current is not None
        assert current.etag is not None
        assert first.etag is not None
        assert (current.sync_map.version, current.sync_map.enabled) == (2, False)
        assert current.updated_at == T0 + timedelta(minutes=1)
        assert [m.version for m in maps.versions(HEADERS)] == [1, 2]
        assert maps.versions(HEADERS)[0] == first.sync_map
        assert sorted(s.sync_map.name for s in maps.all()) == [HEADERS, "lines"]

    def test_a_save_must_take_the_next_version(self, maps):
        with pytest.raises(LinkConflict):
            maps.save(StoredMap(sync_map(version=2), T0))
        maps.save(StoredMap(sync_map(version=1), T0))

        for version in (1, 3):
            with pytest.raises(LinkConflict):
                maps.save(StoredMap(sync_map(version=version), T0))
        assert [m.version for m in maps.versions(HEADERS)] == [1]

    def test_two_map_saves_from_the_same_read_the_second_conflicts(self, maps):
        read = maps.save(StoredMap(sync_map(version=1), T0))
        following = replace(read, sync_map=sync_map(version=2))
        maps.save(following)

        with pytest.raises(LinkConflict):
            maps.save(replace(read, sync_map=sync_map(version=2, enabled=False)))
        assert [m.enabled for m in maps.versions(HEADERS)] == [True, True]

    def test_concurrent_saves_of_one_version_keep_exactly_one(self, maps):
        maps.save(StoredMap(sync_map(version=1), T0))
        rivals = [sync_map(version=2, columns=n + 2) for n in range(6)]

        def work(index: int) -> None:
            maps.save(StoredMap(rivals[index], T0))

        errors = run_together(6, work)

        assert len(errors) == 5
        assert all(isinstance(e, LinkConflict) for e in errors)
        current = maps.get(HEADERS)
        assert current is not None
        assert current.sync_map in rivals
        assert maps.versions(HEADERS)[-1] == current.sync_map

    def test_a_crash_before_the_version_row_loses_no_version(self, maps, table):
        maps.save(StoredMap(sync_map(version=1), T0))
        second = maps.save(StoredMap(sync_map(version=2, columns=3), T0))
        table.delete(versions_of(HEADERS), version_key(2))  # as if the process died there

        assert [m.version for m in maps.versions(HEADERS)] == [1, 2]
        maps.save(StoredMap(sync_map(version=3), T0))
        assert maps.versions(HEADERS)[1] == second.sync_map

    @pytest.mark.parametrize("name", ODD_NAMES)
    def test_any_map_name_is_stored(self, maps, name):
        maps.save(StoredMap(sync_map(name, version=1), T0))
        maps.save(StoredMap(sync_map(name, version=2), T0))

        assert [m.version for m in maps.versions(name)] == [1, 2]
        assert [s.sync_map.name for s in maps.all()] == [name]

    @pytest.mark.parametrize("columns", [600, 6000])
    def test_large_maps_round_trip(self, maps, columns):
        big = sync_map(version=1, columns=columns)  # ~90 KB and ~900 KB of JSON
        maps.save(StoredMap(big, T0))
        bigger = sync_map(version=2, columns=columns)
        maps.save(StoredMap(bigger, T0))

        current = maps.get(HEADERS)
        assert current is not None
        assert current.sync_map == bigger
        assert maps.versions(HEADERS) == [big, bigger]
