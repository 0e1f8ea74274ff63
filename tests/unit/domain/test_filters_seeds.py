import pytest

from domain.filters import compile_filter

HEADER = (
    "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and "
    "msdyn_isreadytosync eq true and statuscode ne 100003"
)
LINE = (
    "_msdyn_company_value ne null and _msdyn_shippingsite_value ne null and "
    "_msdyn_shippingwarehouse_value ne null and msdyn_isreadytosync eq true and "
    "         msdyn_statuscode ne 192350001"
)
COMPANY = "7d5ba0c9-1c5b-ec11-8f8f-000d3a5b8d1e"
READY_HEADER = {
    "msdyn_ordertype": 192350000,
    "_msdyn_company_value": COMPANY,
    "msdyn_isreadytosync": True,
    "statuscode": 1,
}
READY_LINE = {
    "_msdyn_company_value": COMPANY,
    "_msdyn_shippingsite_value": "c1e5b0a2-0000-0000-0000-000000000001",
    "_msdyn_shippingwarehouse_value": "c1e5b0a2-0000-0000-0000-000000000002",
    "msdyn_isreadytosync": True,
    "msdyn_statuscode": 192350000,
}


def with_changes(record, **changes):
    updated = {**record, **changes}
    return {key: value for key, value in updated.items() if value is not ...}


def test_the_seed_filters_compile_verbatim():
    assert compile_filter(HEADER).fields == frozenset(READY_HEADER)
    assert compile_filter(LINE).fields == frozenset(READY_LINE)
    assert "and          msdyn_statuscode" in compile_filter(LINE).expression


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (READY_HEADER, True),
        (with_changes(READY_HEADER, statuscode=...), True),
        (with_changes(READY_HEADER, statuscode=None), True),
        (with_changes(READY_HEADER, extra="ignored"), True),
        (with_changes(READY_HEADER, msdyn_ordertype=192350001), False),
        (with_changes(READY_HEADER, msdyn_ordertype=...), False),
        (with_changes(READY_HEADER, _msdyn_company_value=None), False),
        (with_changes(READY_HEADER, _msdyn_company_value=...), False),
        (with_changes(READY_HEADER, msdyn_isreadytosync=False), False),
        (with_changes(READY_HEADER, msdyn_isreadytosync=1), False),
        (with_changes(READY_HEADER, msdyn_isreadytosync=...), False),
        (with_changes(READY_HEADER, statuscode=100003), False),
    ],
)
def test_sales_order_header_sync_filter(record, expected):
    assert compile_filter(HEADER).matches(record) is expected


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (READY_LINE, True),
        (with_changes(READY_LINE, msdyn_statuscode=...), True),
        (with_changes(READY_LINE, _msdyn_company_value=...), False),
        (with_changes(READY_LINE, _msdyn_shippingsite_value=None), False),
        (with_changes(READY_LINE, _msdyn_shippingwarehouse_value=...), False),
        (with_changes(READY_LINE, msdyn_isreadytosync=False), False),
        (with_changes(READY_LINE, msdyn_isreadytosync="true"), False),
        (with_changes(READY_LINE, msdyn_statuscode=192350001), False),
    ],
)
def test_sales_order_line_sync_filter(record, expected):
    assert compile_filter(LINE).matches(record) is expected
