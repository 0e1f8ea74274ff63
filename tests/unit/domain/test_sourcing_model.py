"""Sourcing inputs refuse what cannot be planned; distances and reasons read as operators expect."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.inventory.sources import GeoPoint
from domain.sourcing import Constraint, ConstraintKind, LineSourcing
from domain.sourcing.distance import haversine_km
from domain.sourcing.reasons import constraint_label, km, qty
from tests.unit.domain.sourcing_builders import request

K = ConstraintKind


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (K.MAX_SOURCES_PER_ORDER, None),
        (K.MAX_SOURCES_PER_ORDER, 0),
        (K.MAX_SOURCES_PER_LINE, Decimal("1.5")),
        (K.MAX_DISTANCE, Decimal(0)),
        (K.SAFETY_STOCK, 3),
        (K.NO_PARTIAL_ORDER, Decimal(1)),
    ],
)
def test_constraint_values_must_fit_their_kind(kind, value):
    with pytest.raises(ValidationError):
        Constraint(kind=kind, value=value)


@pytest.mark.parametrize(
    ("constraint", "label"),
    [
        (Constraint(kind=K.MAX_SOURCES_PER_ORDER, value=1), "one source per order"),
        (Constraint(kind=K.MAX_SOURCES_PER_LINE, value=3), "at most 3 sources per line"),
        (Constraint(kind=K.MAX_DISTANCE, value=Decimal(250)), "maximum distance 250 km"),
        (Constraint(kind=K.MAX_DISTANCE), "maximum distance"),
        (Constraint(kind=K.RESPECT_CUTOFF), "respect source timings"),
        (Constraint(kind=K.DAILY_CAPACITY), "daily line capacity"),
    ],
)
def test_constraints_have_operator_names(constraint, label):
    assert constraint_label(constraint) == label


def test_constraints_read_from_camel_case():
    wire = {"kind": "Maximum distance", "enabled": True, "hard": False, "value": 250}
    assert Constraint.model_validate(wire).hard is False


def test_line_ids_are_unique_within_an_order():
    with pytest.raises(ValidationError):
        request(("1", "P1", 1), ("1", "P2", 1))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((47.6062, -122.3321), (45.5152, -122.6784), 233.6),  # Seattle - Portland
        ((51.5074, -0.1278), (48.8566, 2.3522), 343.6),  # London - Paris
        ((0.0, 0.0), (0.0, 0.0), 0.0),
    ],
)
def test_haversine_distance(a, b, expected):
    one, two = GeoPoint(latitude=a[0], longitude=a[1]), GeoPoint(latitude=b[0], longitude=b[1])
    assert haversine_km(one, two) == pytest.approx(expected, abs=0.5)


@pytest.mark.parametrize(("value", "text"), [(12.44, "12.4"), (310.0, "310"), (0.04, "0")])
def test_distances_print_with_one_decimal_at_most(value, text):
    assert km(value) == text


@pytest.mark.parametrize(("value", "text"), [("12.000", "12"), ("2.50", "2.5"), ("100", "100")])
def test_quantities_print_without_trailing_zeros(value, text):
    assert qty(Decimal(value)) == text


def test_fulfillment_types_use_iom_wording():
    assert [s.value for s in LineSourcing] == [
        "Fully sourced",
        "Partially sourced",
        "Not sourced",
        "Exception",
    ]
