import json
from decimal import Decimal
from types import SimpleNamespace

import azure.functions as func
import pytest

from adapters.storage.memory_table import MemoryTable
from domain.purchasing.editing import ErpStatusUpdate, NewPurchaseOrder
from functions import inventory as triggers
from services.inventory_ports import ReservationRequest
from tests.contracts.inventory_contract import make_stock
from tests.support.ids import random_name
from tests.support.purchasing import CONFIRMED, make_purchasing, po_body

SOURCE = {"sourceId": "WH1", "name": "Main warehouse",
          "location": {"latitude": 47.6, "longitude": -122.3}, "safetyStock": 2}  # fmt: skip


def call(trigger, method, path, body=None, **route_params):
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    request = func.HttpRequest(
        method=method, url=f"http://localhost/api/{path}", body=raw, route_params=route_params
    )
    response = trigger(request)
    text = response.get_body()
    return response, json.loads(text) if text else None


def table():
    created = MemoryTable(random_name("t"))
    created.create()
    return created


@pytest.fixture
def stock(monkeypatch):
    stock = make_stock(table(), table(), table(), None)
    purchasing = make_purchasing().purchasing
    container = SimpleNamespace(
        inventory=stock.inventory, sources=stock.sources, purchasing=purchasing
    )
    monkeypatch.setattr(triggers, "get_container", lambda: container)
    return stock


@pytest.fixture
def wh1(stock):
    response, _ = call(triggers.create_source, "POST", "sources", SOURCE)
    assert response.status_code == 201
    return stock


def put_stock(body, source_id="WH1", product_id="P1"):
    return call(triggers.update_stock, "PUT", "inventory/x/y", body, source_id=source_id,
                product_id=product_id)  # fmt: skip


# Stock


def test_put_on_hand_then_adjust_answers_the_balance(wh1):
    response, balance = put_stock({"onHand": 10, "reference": "count-1"})

    assert response.status_code == 200
    assert balance == {"sourceId": "WH1", "productId": "P1", "onHand": "10", "reserved": "0",
                       "available": "10", "updatedAt": "2026-11-23T12:00:00Z"}  # fmt: skip
    _, adjusted = put_stock({"adjustBy": "-2.5"})
    assert (adjusted["onHand"], adjusted["available"]) == ("7.5", "7.5")
    _, repeated = put_stock({"onHand": 10, "reference": "count-1"})
    assert repeated["onHand"] == "7.5"


def test_get_inventory_answers_atp_per_source_and_in_total(wh1):
    put_stock({"onHand": 10})
    wh1.inventory.reserve([ReservationRequest("o1|1", "WH1", "P1", Decimal(4))])

    response, body = call(triggers.get_stock, "GET", "inventory/P1", product_id="P1")

    assert response.status_code == 200
    assert body == {"productId": "P1", "totalAvailable": "6", "perSource": [
        {"sourceId": "WH1", "onHand": "10", "reserved": "4", "available": "6"}],
        "incoming": [], "totalIncoming": "0"}  # fmt: skip
    _, empty = call(triggers.get_stock, "GET", "inventory/P2", product_id="P2")
    assert empty == {"productId": "P2", "perSource": [], "totalAvailable": "0", "incoming": [],
                     "totalIncoming": "0"}  # fmt: skip


def test_get_inventory_lists_incoming_purchase_order_lines(stock, monkeypatch):
    purchasing = triggers.get_container().purchasing
    po, _ = purchasing.create_purchase_order(NewPurchaseOrder.model_validate(po_body()))
    purchasing.mirror_erp_status(po.purchase_order_id, ErpStatusUpdate.model_validate(CONFIRMED))

    _, body = call(triggers.get_stock, "GET", "inventory/P-1", product_id="P-1")

    assert [(i["documentId"], i["quantityRemaining"]) for i in body["incoming"]] == [
        (po.purchase_order_id, "10")
    ]
    assert body["totalIncoming"] == "10"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"onHand": -1}, "onHand"), ({}, "onHand"), ({"onHand": 1, "adjustBy": 1}, "onHand"),
     ({"onHand": None, "adjustBy": None}, "onHand"), ({"onHand": "ten"}, "onHand"),
     ({"adjustBy": 0.0000001}, "adjustBy"), ({"onHand": 1, "reference": ""}, "reference"),
     ({"onHand": 1, "extra": 1}, "extra"), ({"adjustBy": "NaN"}, "adjustBy")],
)  # fmt: skip
def test_bad_stock_updates_are_400_naming_the_field(wh1, body, field):
    response, error = put_stock(body)

    assert response.status_code == 400, error
    assert error["error"]["field"] == field


def test_a_bad_product_id_is_400(wh1):
    response, error = put_stock({"onHand": 1}, product_id="x" * 101)

    assert (response.status_code, error["error"]["field"]) == (400, "productId")


def test_stock_at_an_unknown_source_is_404(stock):
    response, error = put_stock({"onHand": 1}, source_id="NOPE")

    assert response.status_code == 404
    assert error["error"]["code"] == "NotFound"
    assert "NOPE" in error["error"]["message"]


def test_on_hand_below_reserved_is_409_naming_the_field(wh1):
    put_stock({"onHand": 5})
    wh1.inventory.reserve([ReservationRequest("o1|1", "WH1", "P1", Decimal(4))])

    response, error = put_stock({"adjustBy": -2})

    assert response.status_code == 409
    assert (error["error"]["code"], error["error"]["field"]) == ("NotAllowed", "adjustBy")


def test_bad_json_and_huge_bodies_are_refused(wh1):
    assert put_stock(b"{nope")[0].status_code == 400
    assert put_stock(b" " * (1024 * 1024 + 1))[0].status_code == 413


# Sources


def test_sources_are_created_listed_read_replaced_and_deleted(stock):
    response, created = call(triggers.create_source, "POST", "sources", SOURCE)

    assert response.status_code == 201
    assert response.headers["Location"] == "http://localhost/api/sources/WH1"
    assert (created["sourceId"], created["safetyStock"], created["active"]) == ("WH1", "2", True)
    assert call(triggers.list_sources, "GET", "sources")[1] == {"sources": [created]}
    assert call(triggers.get_source, "GET", "s", source_id="WH1")[1] == created
    changed = {key: value for key, value in SOURCE.items() if key != "sourceId"}
    response, replaced = call(
        triggers.replace_source, "PUT", "s", {**changed, "active": False}, source_id="WH1"
    )
    assert (response.status_code, replaced["active"], replaced["sourceId"]) == (200, False, "WH1")
    assert call(triggers.delete_source, "DELETE", "s", source_id="WH1")[0].status_code == 204
    assert call(triggers.get_source, "GET", "s", source_id="WH1")[0].status_code == 404


def test_source_rejections(wh1):
    assert call(triggers.create_source, "POST", "sources", SOURCE)[0].status_code == 409
    response, error = call(triggers.create_source, "POST", "sources", {**SOURCE, "sourceId": "a b"})
    assert (response.status_code, error["error"]["field"]) == (400, "sourceId")
    response, error = call(triggers.replace_source, "PUT", "s", SOURCE, source_id="WH2")
    assert (response.status_code, error["error"]["field"]) == (400, "sourceId")
    response, _ = call(triggers.replace_source, "PUT", "s", {**SOURCE, "sourceId": "WH2"},
                       source_id="WH2")  # fmt: skip
    assert response.status_code == 404
    response, error = call(triggers.replace_source, "PUT", "s", [1], source_id="WH1")
    assert response.status_code == 400
    assert call(triggers.delete_source, "DELETE", "s", source_id="WH2")[0].status_code == 404


# Source lists


def test_source_lists_are_created_listed_read_replaced_and_deleted(wh1):
    east = {"name": "East coast", "sourceIds": ["WH1"]}

    response, created = call(triggers.create_source_list, "POST", "source-lists", east)

    assert response.status_code == 201
    assert response.headers["Location"] == "http://localhost/api/source-lists/East%20coast"
    assert created == {**east, "maxDistanceKm": None}
    assert call(triggers.list_source_lists, "GET", "l")[1] == {"sourceLists": [created]}
    assert call(triggers.get_source_list, "GET", "l", name="East coast")[1] == created
    wider = {"sourceIds": ["WH1"], "maxDistanceKm": 500}
    response, replaced = call(triggers.replace_source_list, "PUT", "l", wider, name="East coast")
    assert (response.status_code, replaced["maxDistanceKm"]) == (200, "500")
    response, error = call(triggers.delete_source, "DELETE", "s", source_id="WH1")
    assert (response.status_code, error["error"]["field"]) == (409, "sourceLists")
    assert call(triggers.delete_source_list, "DELETE", "l", name="East coast")[0].status_code == 204
    assert call(triggers.get_source_list, "GET", "l", name="East coast")[0].status_code == 404


def test_source_list_rejections(wh1):
    response, error = call(triggers.create_source_list, "POST", "source-lists",
                           {"name": "East", "sourceIds": ["WH1", "NOPE"]})  # fmt: skip
    assert (response.status_code, error["error"]["field"]) == (400, "sourceIds.1")
    response, error = call(triggers.create_source_list, "POST", "source-lists",
                           {"name": "East", "sourceIds": []})  # fmt: skip
    assert (response.status_code, error["error"]["field"]) == (400, "sourceIds")
    response, error = call(triggers.replace_source_list, "PUT", "l",
                           {"name": "West", "sourceIds": ["WH1"]}, name="East")  # fmt: skip
    assert (response.status_code, error["error"]["field"]) == (400, "name")
    response, _ = call(triggers.replace_source_list, "PUT", "l", {"sourceIds": ["WH1"]},
                       name="East")  # fmt: skip
    assert response.status_code == 404
