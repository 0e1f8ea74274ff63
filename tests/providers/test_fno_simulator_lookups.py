"""The F&O simulator's indexed lookups answer exactly as a scan of every stored row does.

The oracle `scanned` is the simulator's query path before its indexes: view every row of the
set, then filter, apply the company rule, order and page. Every query below must come back from
the data service byte for byte the same, across two companies sharing order numbers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from providers.fno.odata import equals_filter, quote
from simulators.fno.entities import ENTITY_SETS
from simulators.fno.fields import Entity, EntityError
from simulators.fno.lookups import candidates
from simulators.fno.odata import Collection, page
from simulators.fno.service import DataService
from simulators.fno.store import FnoStore

HOST = "http://fno.test/"
PAGE_SIZE = 2  # small, so the longer answers page
CDS_HEADERS, CDS_LINES = ENTITY_SETS["CDSSalesOrderHeaders"], ENTITY_SETS["CDSSalesOrderLines"]
V2_LINES = ENTITY_SETS["SalesOrderLines"]
QUOTED = "O'BRIEN-7"
ORDER_1 = "dataAreaId eq 'usmf' and SalesOrderNumber eq 'SO-000001'"


def orders() -> FnoStore:
    """Two companies with the same order numbers, lines created interleaved across orders."""
    store = FnoStore(default_company="usmf")
    for area in ("usmf", "demf", "usmf", "demf", "usmf"):
        store.create_header({"dataAreaId": area, "OrderingCustomerAccountNumber": "US-001"})
    store.create_header(
        {"dataAreaId": "usmf", "SalesOrderNumber": QUOTED, "OrderingCustomerAccountNumber": "C"}
    )
    for area, number, item in [
        ("usmf", "SO-000001", "A"), ("usmf", "SO-000002", "B"), ("demf", "SO-000001", "C"),
        ("usmf", "SO-000001", "D"), ("demf", "SO-000002", "E"), ("usmf", QUOTED, "F"),
        ("demf", "SO-000001", "G"), ("usmf", "SO-000001", "H"), ("usmf", "SO-000002", "I"),
    ]:  # fmt: skip
        store.create_line(line(area, number, item))
    store.create_line({**line("usmf", "SO-000002", "J"), "LineCreationSequenceNumber": 10})
    store.update_line("usmf", "USMF-00000001", {"OrderedSalesQuantity": 7})  # a later version
    store.apply("demf", "SO-000001", "confirm")
    return store


def line(area: str, number: str, item: str) -> Entity:
    return {"dataAreaId": area, "SalesOrderNumber": number, "ItemNumber": item,
            "OrderedSalesQuantity": 1, "SalesPrice": 3}  # fmt: skip


def request(resource: str, args: dict[str, str]) -> Request:
    environ = EnvironBuilder(base_url=HOST, path=f"/data/{resource}", query_string=args)
    return Request(environ.get_environ())


def served(store: FnoStore, name: str, args: dict[str, str]) -> bytes:
    """The data service's answer to a collection read."""
    return DataService(store, PAGE_SIZE).handle(request(name, args), name).get_data()


def scanned(store: FnoStore, name: str, args: dict[str, str]) -> bytes:
    """The answer the simulator gave before it had indexes: every row viewed and tested."""
    entity_set = ENTITY_SETS[name]
    stored = store.headers if entity_set.kind == "header" else store.lines
    rows = [entity_set.view(row) for row in stored.values()]
    where = Collection(
        name, f"{HOST}data/{name}", f"{HOST}data/$metadata#{name}", "usmf", PAGE_SIZE
    )
    return json.dumps(page(rows, request(name, args).args, where)).encode()


def header_key(area: str, number: str) -> dict[str, object]:
    return {"dataAreaId": area, "SalesOrderNumber": number}


def line_key(area: str, number: str, sequence: int) -> dict[str, object]:
    return {**header_key(area, number), "LineCreationSequenceNumber": sequence}


FILTERS = [
    # What the hub sends: `find` by key, `children` by the header key (providers/fno/sync.py).
    equals_filter(header_key("usmf", "SO-000001")),
    equals_filter(header_key("demf", "SO-000001")),
    equals_filter(header_key("usmf", "SO-000002")),
    equals_filter(header_key("usmf", QUOTED)),
    equals_filter(header_key("usmf", "SO-000099")),
    equals_filter(line_key("usmf", "SO-000001", 2)),
    equals_filter(line_key("demf", "SO-000001", 2)),
    equals_filter(line_key("usmf", "SO-000002", 10)),
    equals_filter(line_key("usmf", QUOTED, 1)),
    equals_filter(line_key("usmf", "SO-000001", 9)),
    # The same terms written otherwise, and filters that only look like a key.
    "SalesOrderNumber eq 'SO-000001' and dataAreaId eq 'demf'",
    "'SO-000001' eq SalesOrderNumber and 'usmf' eq dataAreaId",
    "dataAreaId eq 'USMF' and SalesOrderNumber eq 'SO-000001'",  # company ids are stored lower
    "dataAreaId eq 'usmf' and SalesOrderNumber eq 'so-000001'",
    f"{ORDER_1} and LineCreationSequenceNumber eq 2.0",
    f"{ORDER_1} and LineCreationSequenceNumber eq '2'",
    f"{ORDER_1} and ProductNumber eq 'D'",
    f"{ORDER_1} and SalesOrderNumber eq 'SO-000002'",
    "dataAreaId eq 'usmf' and InventoryLotId eq 'USMF-00000004'",
    "dataAreaId eq 'usmf' and SalesOrderNumber eq null",
    "dataAreaId eq 'usmf' or SalesOrderNumber eq 'SO-000001'",
    "not (dataAreaId eq 'usmf') and SalesOrderNumber eq 'SO-000001'",
    f"({ORDER_1})",
    "SalesOrderNumber eq 'SO-000001'",
    "ProductNumber eq 'A'",
]
ARGS: list[dict[str, str]] = [
    {},
    {"cross-company": "true"},
    {"cross-company": "TRUE", "$top": "1"},
    {"cross-company": "true", "$orderby": "LineCreationSequenceNumber desc"},
    {"cross-company": "true", "$orderby": "ModifiedDateTime asc", "$skip": "1"},
]


@pytest.mark.parametrize("name", ["CDSSalesOrderHeaders", "CDSSalesOrderLines",
                                  "SalesOrderHeadersV2", "SalesOrderLines"])  # fmt: skip
@pytest.mark.parametrize("expression", FILTERS)
def test_filtered_reads_answer_as_a_scan_of_every_row(name: str, expression: str) -> None:
    store = orders()
    for args in ARGS:
        query = {"$filter": expression, **args}
        assert served(store, name, query) == scanned(store, name, query), query


def test_reads_without_a_key_filter_still_see_every_row() -> None:
    store = orders()
    for name in ("CDSSalesOrderLines", "SalesOrderHeadersV2"):
        for args in ARGS:
            assert served(store, name, args) == scanned(store, name, args)
    everything = json.loads(served(store, "CDSSalesOrderLines", {"cross-company": "true"}))
    assert "@odata.nextLink" in everything  # paged: 10 lines, 2 to a page


def test_the_hubs_key_filters_start_from_the_keyed_rows_only() -> None:
    store = orders()
    with store.lock:
        [header] = candidates(store, CDS_HEADERS, equals_filter(header_key("demf", "SO-000001")))
        [at] = candidates(store, CDS_LINES, equals_filter(line_key("usmf", "SO-000002", 10)))
        children = candidates(store, CDS_LINES, equals_filter(header_key("usmf", "SO-000001")))
        generic = candidates(store, CDS_LINES, "ProductNumber eq 'A'")
        lot = equals_filter({"dataAreaId": "usmf", "InventoryLotId": "USMF-00000002"})
        by_lot = candidates(store, V2_LINES, lot)
    assert (header["dataAreaId"], header["SalesOrderNumber"]) == ("demf", "SO-000001")
    assert (at["ItemNumber"], at["LineCreationSequenceNumber"]) == ("J", 10)
    assert [row["ItemNumber"] for row in children] == ["A", "D", "H"]
    assert len(generic) == len(store.lines)
    assert [row["ItemNumber"] for row in by_lot] == ["B"]


def test_an_invalid_key_filter_is_refused_as_before() -> None:
    store = orders()
    for answer in (served, scanned):
        with pytest.raises(EntityError) as refused:
            answer(store, "CDSSalesOrderLines", {"$filter": "dataAreaId eq 'usmf' and"})
        assert refused.value.status == 400


@pytest.mark.parametrize(
    ("area", "number"),
    [("usmf", "SO-000001"), ("demf", "SO-000001"), ("usmf", "SO-000002"), ("usmf", QUOTED),
     ("demf", "SO-000003"), ("usmf", "SO-000099")],
)  # fmt: skip
def test_order_lines_and_key_reads_find_what_a_scan_finds(area: str, number: str) -> None:
    store = orders()
    expected = [
        row for (row_area, _), row in store.lines.items()
        if row_area == area and row["SalesOrderNumber"] == number
    ]  # fmt: skip
    assert store.order_lines(area, number) == expected
    service = DataService(store, PAGE_SIZE)
    for row in expected:
        sequence = row["LineCreationSequenceNumber"]
        key = f"dataAreaId={quote(area.upper())},SalesOrderNumber={quote(number)}"
        resource = f"CDSSalesOrderLines({key},LineCreationSequenceNumber={sequence})"
        body: dict[str, Any] = json.loads(service.handle(request(resource, {}), resource).data)
        assert body == CDS_LINES.view(row)
    with pytest.raises(EntityError) as missing:
        store.line_at(area, number, 99)
    assert missing.value.status == 404


def test_lines_added_later_join_their_order_in_creation_order() -> None:
    store = orders()
    store.create_line(line("demf", "SO-000001", "K"))
    store.create_line({**line("demf", "SO-000001", "L"), "LineCreationSequenceNumber": 5})
    assert [row["ItemNumber"] for row in store.order_lines("demf", "SO-000001")] == [
        "C", "G", "K", "L"
    ]  # fmt: skip
    assert store.line_at("DEMF", "SO-000001", 5)["ItemNumber"] == "L"
    query = {"$filter": equals_filter(header_key("demf", "SO-000001")), "cross-company": "true"}
    assert served(store, "CDSSalesOrderLines", query) == scanned(store, "CDSSalesOrderLines", query)


def test_a_store_built_with_lines_indexes_them() -> None:
    built = orders()
    store = FnoStore(headers=dict(built.headers), lines=dict(built.lines))
    assert store.order_lines("usmf", "SO-000001") == built.order_lines("usmf", "SO-000001")
    assert store.line_at("usmf", "SO-000002", 10) is built.line_at("usmf", "SO-000002", 10)
