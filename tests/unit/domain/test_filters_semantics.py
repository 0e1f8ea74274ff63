from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from domain.filters import compile_filter

GUID = "a455c695-df98-5678-aaaa-81d3367e5a34"
OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le")


def results(value, literal):
    record = {} if value is None else {"x": value}
    return {op for op in OPERATORS if compile_filter(f"x {op} {literal}").matches(record)}


@pytest.mark.parametrize(
    ("value", "literal", "expected"),
    [
        (None, "null", {"eq"}),
        (None, "5", {"ne"}),
        (None, "'x'", {"ne"}),
        (5, "null", {"ne"}),
        ("", "null", {"ne"}),
        (False, "null", {"ne"}),
    ],
)
def test_null_is_equal_only_to_null_and_never_ordered(value, literal, expected):
    assert results(value, literal) == expected


def test_an_explicit_none_behaves_like_a_missing_field():
    assert compile_filter("x eq null").matches({"x": None})
    assert compile_filter("x ne 100003").matches({"x": None})
    assert not compile_filter("x ge null").matches({"x": None})


@pytest.mark.parametrize(
    ("value", "literal", "expected"),
    [
        (5, "5", {"eq", "ge", "le"}),
        (5, "7", {"ne", "lt", "le"}),
        (5, "-5", {"ne", "gt", "ge"}),
        (5, "5.0", {"eq", "ge", "le"}),
        (5, "5L", {"eq", "ge", "le"}),
        (5.5, "5", {"ne", "gt", "ge"}),
        (2**53 + 1, "9007199254740992.0", {"ne", "gt", "ge"}),
        (Decimal("0.1"), "0.1", {"eq", "ge", "le"}),
        (0.1, "0.1m", {"eq", "ge", "le"}),
        (Decimal("0.1000000000000000000001"), "0.1", {"ne", "gt", "ge"}),
        (Decimal("10"), "10", {"eq", "ge", "le"}),
        (float("inf"), "1e300m", {"ne", "gt", "ge"}),
        (float("nan"), "1", {"ne"}),
        (float("nan"), "1m", {"ne"}),
        (Decimal("NaN"), "1.5", {"ne"}),
    ],
)
def test_numbers_compare_by_value_across_int_float_and_decimal(value, literal, expected):
    assert results(value, literal) == expected


@pytest.mark.parametrize(
    ("value", "literal", "expected"),
    [
        (True, "true", {"eq", "ge", "le"}),
        (False, "true", {"ne", "lt", "le"}),
        (True, "1", {"ne"}),
        (1, "true", {"ne"}),
        (0, "false", {"ne"}),
        ("b", "'b'", {"eq", "ge", "le"}),
        ("b", "'a'", {"ne", "gt", "ge"}),
        ("B", "'b'", {"ne", "lt", "le"}),
        ("it's", "'it''s'", {"eq", "ge", "le"}),
        ("5", "5", {"ne"}),
        (5, "'5'", {"ne"}),
        ("2008-07-10T00:00:00Z", "datetime'2008-07-10T00:00:00Z'", {"ne"}),
        (datetime(2008, 7, 10, tzinfo=UTC), "'2008-07-10T00:00:00Z'", {"ne"}),
        (datetime(2008, 7, 10, tzinfo=UTC), "0", {"ne"}),
        (UUID(GUID), "'not a guid'", {"ne"}),
        (UUID(GUID), "5", {"ne"}),
        ([1], "1", {"ne"}),
    ],
)
def test_other_types_compare_only_with_their_own_type(value, literal, expected):
    assert results(value, literal) == expected


@pytest.mark.parametrize(
    ("value", "literal", "expected"),
    [
        (datetime(2008, 7, 10, tzinfo=UTC), "datetime'2008-07-10T00:00:00Z'", {"eq", "ge", "le"}),
        (datetime(2008, 7, 10), "datetime'2008-07-10T00:00:00Z'", {"eq", "ge", "le"}),
        (datetime(2008, 7, 10, tzinfo=UTC), "datetime'2008-07-10T00:00:00'", {"eq", "ge", "le"}),
        (
            datetime(2008, 7, 10, 2, tzinfo=timezone(timedelta(hours=2))),
            "datetimeoffset'2008-07-10T00:00:00Z'",
            {"eq", "ge", "le"},
        ),
        (datetime(2008, 7, 10, 0, 0, 1), "datetime'2008-07-10T00:00:00Z'", {"ne", "gt", "ge"}),
        (datetime(2008, 7, 9, tzinfo=UTC), "datetime'2008-07-10T00:00:00Z'", {"ne", "lt", "le"}),
    ],
)
def test_datetimes_compare_as_instants_with_naive_taken_as_utc(value, literal, expected):
    assert results(value, literal) == expected


@pytest.mark.parametrize(
    ("value", "literal", "expected"),
    [
        (UUID(GUID), f"guid'{GUID}'", {"eq", "ge", "le"}),
        (UUID(GUID), f"guid'{GUID.upper()}'", {"eq", "ge", "le"}),
        (UUID(GUID), GUID, {"eq", "ge", "le"}),
        (GUID.upper(), f"guid'{GUID}'", {"eq", "ge", "le"}),
        (GUID, f"guid'{GUID.replace('a4', 'b4', 1)}'", {"ne", "lt", "le"}),
        (UUID(GUID), f"'{GUID.upper()}'", {"eq", "ge", "le"}),
        ("not-a-guid", f"guid'{GUID}'", {"ne"}),
        (GUID, f"'{GUID.upper()}'", {"ne", "gt", "ge"}),
    ],
)
def test_guids_compare_as_uuids_even_when_held_as_strings(value, literal, expected):
    assert results(value, literal) == expected


@pytest.mark.parametrize(
    ("expression", "record", "expected"),
    [
        ("'x' eq name", {"name": "x"}, True),
        ("5 lt qty", {"qty": 6}, True),
        ("5 lt qty", {"qty": 5}, False),
        ("null eq name", {}, True),
        ("1 eq 1 and a eq 2", {"a": 2}, True),
        ("1 eq 2 or a eq 2", {"a": 3}, False),
    ],
)
def test_the_literal_may_be_on_either_side(expression, record, expected):
    assert compile_filter(expression).matches(record) is expected


ABC = [{"a": a, "b": b, "c": c} for a in (1, 0) for b in (2, 0) for c in (3, 0)]


@pytest.mark.parametrize(
    ("expression", "truth"),
    [
        ("a eq 1 or b eq 2 and c eq 3", lambda a, b, c: a or (b and c)),
        ("(a eq 1 or b eq 2) and c eq 3", lambda a, b, c: (a or b) and c),
        ("a eq 1 and b eq 2 or c eq 3", lambda a, b, c: (a and b) or c),
        ("a eq 1 and (b eq 2 or c eq 3)", lambda a, b, c: a and (b or c)),
        ("not a eq 1 and b eq 2", lambda a, b, c: (not a) and b),
        ("not (a eq 1 and b eq 2)", lambda a, b, c: not (a and b)),
        ("not a eq 1 or not b eq 2 and c eq 3", lambda a, b, c: (not a) or ((not b) and c)),
        ("not not a eq 1", lambda a, b, c: a),
        ("a eq 1 or b eq 2 or c eq 3", lambda a, b, c: a or b or c),
    ],
)
def test_precedence_is_not_then_and_then_or(expression, truth):
    compiled = compile_filter(expression)
    for record in ABC:
        expected = bool(truth(record["a"] == 1, record["b"] == 2, record["c"] == 3))
        assert compiled.matches(record) is expected, record


@pytest.mark.parametrize(
    ("expression", "record", "expected"),
    [
        ("order/msdyn_company eq 'c1'", {"order/msdyn_company": "c1"}, True),
        ("order/msdyn_company eq 'c1'", {"msdyn_company": "c1"}, False),
        ("order/msdyn_company ne null", {"order": {"msdyn_company": "c1"}}, False),
    ],
)
def test_paths_are_keys_of_a_flattened_record(expression, record, expected):
    assert compile_filter(expression).matches(record) is expected
