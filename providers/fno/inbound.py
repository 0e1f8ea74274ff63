"""F&O as the hub's ErpOrders: its confirmed sales orders, as PlaceOrder commands.

An order the hub cannot take (no delivery country, say) is logged and left out, so one bad
document never stops every other order from arriving; it is read again on the next poll
within the overlap, and taken once someone fixes it in F&O.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pydantic import ValidationError

from providers.fno.client import FnoClient
from providers.fno.mapping import place_order
from services.orders.commands import PlaceOrder

logger = logging.getLogger(__name__)


class FnoOrders:
    """Implements ErpOrders over the F&O client (confirmed or later, created since a time)."""

    def __init__(self, client: FnoClient) -> None:
        self._client = client

    def confirmed_since(self, since: datetime) -> list[PlaceOrder]:
        """PlaceOrder commands for F&O orders confirmed or later, created at or after `since`."""
        commands: list[PlaceOrder] = []
        for header in self._client.confirmed_orders(since):
            area, number = header.data_area_id, header.sales_order_number
            lines = self._client.order_lines(area, number)
            if not lines:
                continue
            try:
                commands.append(place_order(header, lines))
            except ValidationError as err:
                logger.warning("F&O order %s/%s left out: %s", area, number, err)
        return commands
