"""Option sets of the simulated Sales order: state, status reason and Prospect-to-cash processing.

`statecode` / `statuscode` are Dataverse's documented values for `salesorder`. The Prospect-to-cash
solution's `msdyn_processingstatus` labels come from the seed (Draft ... Cancelled), but no public
source gives their integer values, so `PROCESSING_STATUS` is the hub's own choice: 192350000 + the
label's position in the seed's list, the same table as `domain.sync.prospect_to_cash` (which the
shipped Prospect-to-cash maps use; the simulator may not import the app, so it is repeated here
and a test keeps the two equal).
"""

from __future__ import annotations

from types import MappingProxyType

_LABELS = (
    "Draft",
    "Active",
    "Confirmed",
    "Packing Slip",
    "Invoiced",
    "Picked",
    "Partially Picked",
    "Partially Packed",
    "Shipped",
    "Partially Shipped",
    "Partially Invoiced",
    "Cancelled",
)
PROCESSING_STATUS: MappingProxyType[str, int] = MappingProxyType(
    {label: 192_350_000 + index for index, label in enumerate(_LABELS)}
)
PROCESSING_STATUS_LABELS: MappingProxyType[int, str] = MappingProxyType(
    {value: label for label, value in PROCESSING_STATUS.items()}
)
DRAFT, ACTIVE = PROCESSING_STATUS["Draft"], PROCESSING_STATUS["Active"]

# statecode -> (label, the statuscode values allowed in it); the first is the default.
SALESORDER_STATES: MappingProxyType[int, tuple[str, tuple[int, ...]]] = MappingProxyType(
    {
        0: ("Active", (1, 2, 700970000)),
        1: ("Submitted", (3,)),
        2: ("Canceled", (4,)),
        3: ("Fulfilled", (100001, 100002)),
        4: ("Invoiced", (100003,)),
    }
)
