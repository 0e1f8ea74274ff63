"""The rules Sales enforces on orders: option values, and seed 003's Prospect-to-cash rules.

An order can be activated (processing status Draft -> Active) only when every line is an
externally maintained product: a write-in line (`isproductoverridden`, or no product) would be
unknown to Finance and Operations. Only Draft orders can be edited by a Sales user; after
activation updates come from Finance and Operations through the integration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from simulators.sales.options import ACTIVE, DRAFT, PROCESSING_STATUS_LABELS, SALESORDER_STATES
from simulators.sales.wire import BUSINESS_RULE, INVALID_ARGUMENT, EntityError


def default_status(statecode: object) -> int | None:
    """The status reason a state change without one gets (None for an unknown state)."""
    if not isinstance(statecode, int) or statecode not in SALESORDER_STATES:
        return None
    return SALESORDER_STATES[statecode][1][0]


def check_options(order: Mapping[str, Any]) -> None:
    """State, status reason and processing status must be values of their option sets."""
    state, status = order.get("statecode"), order.get("statuscode")
    if not isinstance(state, int) or state not in SALESORDER_STATES:
        raise EntityError(400, INVALID_ARGUMENT, f"statecode {state!r} is not valid for salesorder")
    if status not in SALESORDER_STATES[state][1]:
        message = f"statuscode {status!r} is not valid for statecode {state}"
        raise EntityError(400, INVALID_ARGUMENT, message)
    processing = order.get("msdyn_processingstatus")
    if processing is not None and processing not in PROCESSING_STATUS_LABELS:
        raise EntityError(
            400,
            INVALID_ARGUMENT,
            f"The value {processing!r} of 'msdyn_processingstatus' on record of type "
            "'salesorder' is outside the valid range",
        )


def activates(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """True when a change moves the order from Draft to Active."""
    return bool(
        before.get("msdyn_processingstatus") == DRAFT
        and after.get("msdyn_processingstatus") == ACTIVE
    )


def check_activatable(order: Mapping[str, Any]) -> None:
    """Only a Draft order has an Activate button."""
    if order.get("msdyn_processingstatus") != DRAFT:
        message = f"Sales order {order['ordernumber']} is {_label(order)}; only a Draft order "
        raise EntityError(400, BUSINESS_RULE, message + "can be activated")


def check_activation(order: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> None:
    """Refuse activation naming the first write-in line."""
    for line in lines:
        if line.get("isproductoverridden") or not line.get("_productid_value"):
            name = line.get("productdescription") or line.get("description") or "no product"
            raise EntityError(
                400,
                BUSINESS_RULE,
                f"Sales order {order['ordernumber']} cannot be activated: line "
                f"{line.get('sequencenumber')} ({name}) is a write-in product; only orders whose "
                "products are all externally maintained can be activated",
            )


def check_editable(order: Mapping[str, Any]) -> None:
    """A Sales user can edit only a Draft order."""
    if order.get("msdyn_processingstatus") != DRAFT:
        raise EntityError(
            400,
            BUSINESS_RULE,
            f"Sales order {order['ordernumber']} is read-only: it is {_label(order)} and "
            "maintained in Finance and Operations; only Draft orders can be edited in Sales",
        )


def _label(order: Mapping[str, Any]) -> str:
    status = order.get("msdyn_processingstatus")
    return PROCESSING_STATUS_LABELS.get(status, str(status)) if isinstance(status, int) else "?"
