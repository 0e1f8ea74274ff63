"""Whether an order an ERP lists is one the hub sent there, so a pull does not take it twice.

The hub sends orders to F&O two ways: the order gateway puts the hub's order id in
`CustomersOrderReference`; dual-write creates the CDS sales order under the hub's order number
and keeps a link to it. An F&O order found either way is already in the hub under its own id.
"""

from __future__ import annotations

from services.orders.commands import PlaceOrder
from services.sync.context import SyncContext

FNO = "fno"
FNO_HEADERS = "CDS sales order headers"


def sent_by_hub(context: SyncContext, command: PlaceOrder) -> bool:
    """True when the ERP order this command describes is one of the hub's own orders."""
    reference = command.customer_order_reference
    if reference:
        loaded = context.engine.orders.get(reference)
        if loaded is not None and loaded.order.channel != command.channel:
            return True
    area, _, number = command.external_order_id.partition("/")
    if not number:
        return False
    key = {"dataAreaId": area.lower(), "SalesOrderNumber": number}
    return any(
        context.links.find(sync_map.name, key) is not None
        for sync_map in context.current_maps()
        if sync_map.target_system == FNO and sync_map.target_entity == FNO_HEADERS
    )
