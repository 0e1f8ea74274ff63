import json
import re
from decimal import Decimal

import pytest

from domain.sync.engine import SyncError, apply_back, apply_forward, map_back, map_forward
from domain.sync.maps import SyncMap, SyncMapError, ValueMap, parse_map

STATUS = {"name": "status", "pairs": [[1, "Open"], [2, "Closed"]]}
COUNTRY = {
    "name": "country",
    "pairs": [["united states", "US"], ["germany", "DE"]],
    "default": "US",
    "on_unknown": "pass",
    "case_insensitive": True,
}


def upper(value, record):
    return None if value is None else str(value).upper()


def lower(value, record):
    return None if value is None else str(value).lower()


TRANSFORMS = {"upper": upper, "lower": lower}


def make_map(**changes) -> SyncMap:
    data = {
        "name": "test",
        "target_system": "fno",
        "source_entity": "salesorders",
        "target_entity": "CDS sales order headers",
        "version": 1,
        "key_fields": ["two_way"],
        "columns": [
            {"source": "two_way", "symbol": "=", "target": "TwoWay"},
            {"source": "to_target", "symbol": ">", "target": "ToTarget"},
            {"source": "to_source", "symbol": "<", "target": "ToSource"},
            {
                "source": "both_transformed",
                "symbol": "><",
                "target": "BothTransformed",
                "transform": "upper",
                "transform_back": "lower",
            },
            {"source": "to_target_t", "symbol": ">>", "target": "ToTargetT", "transform": "upper"},
            {
                "source": "to_source_t",
                "symbol": "<<",
                "target": "ToSourceT",
                "transform_back": "lower",
            },
            {"source": "status", "symbol": "><", "target": "Status", "value_map": "status"},
            {"source": "country", "symbol": "><", "target": "Country", "value_map": "country"},
            {"source": "site", "symbol": "=", "target": "Site", "default": "1"},
        ],
        "value_maps": [STATUS, COUNTRY],
        "defaults_to_target": {"Origin": "IOM"},
        "defaults_to_source": {"msdyn_ordertype": 192350000},
    }
    return SyncMap.model_validate({**data, **changes})


SOURCE = {
    "two_way": "a",
    "to_target": "b",
    "to_source": "c",
    "both_transformed": "d",
    "to_target_t": "e",
    "to_source_t": "f",
    "status": 2,
    "country": "Germany",
    "site": "2",
}
TARGET = {
    "TwoWay": "A",
    "ToTarget": "B",
    "ToSource": "C",
    "BothTransformed": "D",
    "ToTargetT": "E",
    "ToSourceT": "F",
    "Status": "Open",
    "Country": "DE",
    "Site": "3",
}


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("TwoWay", "a"),
        ("ToTarget", "b"),
        ("ToSource", None),
        ("BothTransformed", "D"),
        ("ToTargetT", "E"),
        ("ToSourceT", None),
        ("Status", "Closed"),
        ("Country", "DE"),
        ("Site", "2"),
    ],
)
def test_forward_follows_each_symbol(field, expected):
    out = apply_forward(make_map(), SOURCE, transforms=TRANSFORMS)
    if expected is None:
        assert field not in out
    else:
        assert out[field] == expected


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("two_way", "A"),
        ("to_target", None),
        ("to_source", "C"),
        ("both_transformed", "d"),
        ("to_target_t", None),
        ("to_source_t", "f"),
        ("status", 1),
        ("country", "germany"),
        ("site", "3"),
    ],
)
def test_back_follows_each_symbol(field, expected):
    out = apply_back(make_map(), TARGET, transforms=TRANSFORMS)
    if expected is None:
        assert field not in out
    else:
        assert out[field] == expected


def test_partial_update_writes_only_the_fields_it_carries():
    assert apply_forward(make_map(), {"two_way": "x"}, transforms=TRANSFORMS) == {"TwoWay": "x"}
    assert apply_back(make_map(), {"Status": "Closed"}, transforms=TRANSFORMS) == {"status": 2}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "US"),
        ("", "US"),
        ("  ", "US"),
        ("United States", "US"),
        ("GERMANY", "DE"),
        ("XX", "XX"),
    ],
)
def test_country_blank_takes_us_and_unknown_passes(value, expected):
    assert map_forward(ValueMap.model_validate(COUNTRY), value) == expected


@pytest.mark.parametrize(("value", "expected"), [("us", "united states"), ("DE", "germany")])
def test_country_maps_back_ignoring_case(value, expected):
    assert map_back(ValueMap.model_validate(COUNTRY), value) == expected


@pytest.mark.parametrize("mapper", [map_forward, map_back])
def test_strict_value_map_rejects_unknown_values(mapper):
    with pytest.raises(SyncError, match="status"):
        mapper(ValueMap.model_validate(STATUS), 99)


def test_unknown_value_takes_the_default_when_asked():
    value_map = ValueMap.model_validate(
        {
            "name": "price",
            "pairs": [["EUR list", "EUR"]],
            "default": "x",
            "default_back": "CRM Service USA (sample)",
            "on_unknown": "default",
        }
    )
    assert map_back(value_map, "USD") == "CRM Service USA (sample)"
    assert map_back(value_map, None) == "CRM Service USA (sample)"
    assert map_forward(value_map, "other") == "x"


def test_bool_is_not_mistaken_for_an_int():
    value_map = ValueMap.model_validate({"name": "b", "pairs": [[1, "one"]], "on_unknown": "pass"})
    assert map_forward(value_map, True) is True


@pytest.mark.parametrize(
    ("apply", "record", "field", "default"),
    [
        (apply_forward, {"site": None}, "Site", "1"),
        (apply_forward, {}, "Origin", "IOM"),
        (apply_back, {"Site": ""}, "site", "1"),
        (apply_back, {}, "msdyn_ordertype", 192350000),
    ],
)
def test_defaults_are_written_on_create_only(apply, record, field, default):
    assert apply(make_map(), record, creating=True, transforms=TRANSFORMS)[field] == default
    assert apply(make_map(), record, transforms=TRANSFORMS).get(field) != default


def test_create_default_does_not_overwrite_a_mapped_value():
    out = apply_back(make_map(), {"Site": "9"}, creating=True, transforms=TRANSFORMS)
    assert out["site"] == "9"


def test_unknown_transform_name_is_reported():
    with pytest.raises(SyncError, match="upper"):
        apply_forward(make_map(), {"to_target_t": "x"}, transforms={})


def test_decimal_values_cross_unchanged():
    assert apply_forward(make_map(), {"two_way": Decimal("1.50")})["TwoWay"] == Decimal("1.50")


def column(**changes):
    return {"source": "s", "symbol": "=", "target": "T", **changes}


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"columns": [column(symbol="=>")]}, "columns.0.symbol"),
        (
            {"columns": [column(), column(source="t", symbol=">", target="X", transform="upper")]},
            "columns.1.symbol",
        ),
        ({"columns": [column(symbol="><", transform="upper")]}, "columns.0.transform_back"),
        ({"columns": [column(symbol=">>")]}, "columns.0.transform"),
        (
            {"columns": [column(symbol="<<", transform="upper", transform_back="lower")]},
            "columns.0.transform",
        ),
        ({"columns": [column(value_map="nope")]}, "columns.0.value_map"),
        ({"columns": [column(), column(source="t")]}, "columns.1.target"),
        ({"columns": [column(), column(target="X")]}, "columns.1.source"),
        ({"key_fields": ["missing"]}, "key_fields"),
        ({"source_filter": "statuscode eq"}, "source_filter"),
        ({"version": 0}, "version"),
        ({"value_maps": [{"name": "v", "pairs": [[1, "a"], [2, "a"]]}]}, "value_maps.0"),
        ({"value_maps": [STATUS, STATUS]}, "value_maps"),
    ],
)
def test_validation_errors_name_the_field(changes, path):
    data = make_map().model_dump()
    data.update({"key_fields": ["s"], "value_maps": [], **changes})
    with pytest.raises(SyncMapError) as raised:
        parse_map("broken.json", json.dumps(data))
    assert re.search(rf"^broken\.json: (.*; )?{re.escape(path)}[.:]", str(raised.value))


def test_a_one_way_value_map_cannot_flow_back():
    one_way = {"name": "status", "pairs": [[1, "a"], [2, "a"]], "reversible": False}
    with pytest.raises(ValueError, match=r"columns\.6\.value_map"):
        make_map(value_maps=[one_way, COUNTRY])
