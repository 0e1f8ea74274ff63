"""The simulated store's state: orders, lines, ship-to addresses and shipments, in memory.

Payloads are kept as BigCommerce sends them: money as strings with 4 decimals, dates as
RFC-2822 strings. Callers hold `lock` (the app does) while reading or changing the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

STATUSES: dict[int, str] = {
    0: "Incomplete", 1: "Pending", 2: "Shipped", 3: "Partially Shipped", 4: "Refunded",
    5: "Cancelled", 6: "Declined", 7: "Awaiting Payment", 8: "Awaiting Pickup",
    9: "Awaiting Shipment", 10: "Completed", 11: "Awaiting Fulfillment",
    12: "Manual Verification Required", 13: "Disputed", 14: "Partially Refunded",
}  # fmt: skip
ADDRESS_FIELDS = (
    "first_name", "last_name", "company", "street_1", "street_2", "city", "state", "zip",
    "country", "country_iso2", "phone", "email",
)  # fmt: skip
FOUR_PLACES = Decimal("0.0001")


class StoreError(Exception):
    """A request the store refuses; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def money(value: Any) -> str:
    """An amount as BigCommerce writes it: a string with 4 decimals."""
    return str(Decimal(str(value or 0)).quantize(FOUR_PLACES))


def rfc2822(moment: datetime) -> str:
    """A date as BigCommerce writes it (`Tue, 05 Mar 2019 21:40:11 +0000`)."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def parse_date(text: str) -> datetime:
    """An RFC-2822 or ISO-8601 date filter (naive means UTC)."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _address(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {name: str(spec.get(name, "") or "") for name in ADDRESS_FIELDS}


def _clock_id(now: datetime) -> int:
    return int(now.timestamp() * 1000) % 2_000_000_000 + 100


class Store:
    """Orders of one store, with the bookkeeping BigCommerce does on status and shipments."""

    def __init__(self, clock: Callable[[], datetime], first_order_id: int | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.orders: dict[int, dict[str, Any]] = {}
        self.products: dict[int, list[dict[str, Any]]] = {}
        self.addresses: dict[int, list[dict[str, Any]]] = {}
        self.shipments: dict[int, list[dict[str, Any]]] = {}
        # A store restarted over the hub's kept data must not hand out order ids it already did,
        # so by default numbering starts from the clock (milliseconds, below 2^31).
        first = first_order_id if first_order_id is not None else _clock_id(clock())
        self._ids = {"order": first - 1, "product": 1000, "address": 500, "shipment": 10}

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def create_order(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Add an order from a simple spec (products, shipping_address, ...); return it."""
        order_id = self._next("order")
        now = self.clock()
        created = parse_date(spec["date_created"]) if spec.get("date_created") else now
        status_id = int(spec.get("status_id", 11))
        if status_id not in STATUSES:
            raise StoreError(400, f"unknown status_id {status_id}")
        billing = _address(spec.get("billing_address") or spec.get("shipping_address") or {})
        shipping = {**billing, **_address(spec.get("shipping_address") or billing)}
        address_id = self._next("address")
        lines = [self._line(order_id, address_id, p) for p in spec.get("products") or []]
        if not lines:
            raise StoreError(400, "an order needs at least one product")
        count = sum(line["quantity"] for line in lines)
        ex = sum(Decimal(line["total_ex_tax"]) for line in lines)
        inc = sum(Decimal(line["total_inc_tax"]) for line in lines)
        discount = sum(Decimal(d["amount"]) for ln in lines for d in ln["applied_discounts"])
        shipping_cost = Decimal(str(spec.get("shipping_cost", 0)))
        order = {
            "id": order_id, "customer_id": int(spec.get("customer_id", 0)),
            "date_created": rfc2822(created), "date_modified": rfc2822(max(created, now)),
            "date_shipped": "", "status_id": status_id, "status": STATUSES[status_id],
            "custom_status": STATUSES[status_id],
            "subtotal_ex_tax": money(ex), "subtotal_inc_tax": money(inc),
            "subtotal_tax": money(inc - ex), "total_tax": money(inc - ex),
            "shipping_cost_ex_tax": money(shipping_cost),
            "shipping_cost_inc_tax": money(shipping_cost),
            "discount_amount": money(discount),
            "total_ex_tax": money(ex - discount + shipping_cost),
            "total_inc_tax": money(inc - discount + shipping_cost),
            "items_total": count, "items_shipped": 0,
            "payment_method": "Test Payment Gateway", "payment_status": "captured",
            "currency_code": str(spec.get("currency_code", "USD")),
            "currency_exchange_rate": "1.0000000000", "is_tax_inclusive_pricing": False,
            "order_source": str(spec.get("order_source", "www")), "channel_id": 1,
            "customer_message": "", "staff_notes": "", "external_order_id": "",
            "billing_address": billing,
            "products": {"url": f"/orders/{order_id}/products"},
            "shipping_addresses": {"url": f"/orders/{order_id}/shipping_addresses"},
        }  # fmt: skip
        self.orders[order_id] = order
        self.products[order_id] = lines
        self.addresses[order_id] = [
            {**shipping, "id": address_id, "order_id": order_id, "items_total": count,
             "items_shipped": 0, "shipping_method": "Fixed Shipping",
             "cost_ex_tax": money(shipping_cost), "cost_inc_tax": money(shipping_cost)}
        ]  # fmt: skip
        self.shipments[order_id] = []
        return order

    def _line(self, order_id: int, address_id: int, spec: Mapping[str, Any]) -> dict[str, Any]:
        quantity = int(spec.get("quantity", 1))
        if quantity < 1:
            raise StoreError(400, "product quantity must be at least 1")
        ex = Decimal(str(spec.get("price_ex_tax", spec.get("price", 0))))
        inc = Decimal(str(spec.get("price_inc_tax", ex)))
        discount = spec.get("discount")
        return {
            "id": self._next("product"), "order_id": order_id,
            "product_id": int(spec.get("product_id", 0)), "variant_id": None,
            "order_address_id": address_id, "name": str(spec.get("name", spec.get("sku", ""))),
            "sku": str(spec.get("sku", "")), "type": str(spec.get("type", "physical")),
            "base_price": money(ex), "price_ex_tax": money(ex), "price_inc_tax": money(inc),
            "price_tax": money(inc - ex), "total_ex_tax": money(ex * quantity),
            "total_inc_tax": money(inc * quantity), "total_tax": money((inc - ex) * quantity),
            "quantity": quantity, "quantity_shipped": 0, "quantity_refunded": 0,
            "parent_order_product_id": None, "is_bundled_product": False,
            "applied_discounts": (
                [{"id": "manual-discount", "amount": money(discount), "name": "", "code": "",
                  "target": "order"}] if discount else []
            ),
        }  # fmt: skip

    def order(self, order_id: int) -> dict[str, Any]:
        """The order (404 when absent)."""
        try:
            return self.orders[order_id]
        except KeyError:
            raise StoreError(404, "The requested resource was not found.") from None

    def set_status(self, order_id: int, status_id: Any) -> dict[str, Any]:
        """Change the status_id and the labels that go with it."""
        order = self.order(order_id)
        if not isinstance(status_id, int) or status_id not in STATUSES:
            raise StoreError(400, f"status_id {status_id!r} is not a valid order status")
        now = rfc2822(self.clock())
        order.update(status_id=status_id, date_modified=now)
        order.update(status=STATUSES[status_id], custom_status=STATUSES[status_id])
        if status_id == 2 and not order["date_shipped"]:
            order["date_shipped"] = now
        return order

    def add_shipment(self, order_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """Record a shipment of whole units to one of the order's addresses."""
        order = self.order(order_id)
        address = next(
            (a for a in self.addresses[order_id] if a["id"] == body.get("order_address_id")), None
        )
        if address is None:
            raise StoreError(400, "order_address_id does not belong to this order")
        tracking = str(body.get("tracking_number", "") or "")
        if len(tracking) > 50:
            raise StoreError(400, "tracking_number is longer than 50 characters")
        lines = {line["id"]: line for line in self.products[order_id]}
        items = body.get("items")
        if not isinstance(items, list) or not items:
            raise StoreError(400, "items is required")
        for item in items:
            line = lines.get(item.get("order_product_id")) if isinstance(item, dict) else None
            quantity = item.get("quantity") if line is not None else None
            if line is None or not isinstance(quantity, int) or quantity < 1:
                raise StoreError(400, f"invalid shipment item {item!r}")
            if quantity > line["quantity"] - line["quantity_shipped"]:
                raise StoreError(400, f"order product {line['id']} has fewer items left to ship")
        for item in items:
            lines[item["order_product_id"]]["quantity_shipped"] += item["quantity"]
        shipped = sum(item["quantity"] for item in items)
        order["items_shipped"] += shipped
        address["items_shipped"] += shipped
        order["date_modified"] = rfc2822(self.clock())
        shipment = {
            "id": self._next("shipment"), "order_id": order_id,
            "customer_id": order["customer_id"], "order_address_id": address["id"],
            "date_created": rfc2822(self.clock()), "tracking_number": tracking,
            "shipping_provider": str(body.get("shipping_provider", "") or ""),
            "shipping_method": str(body.get("shipping_method", "") or ""),
            "tracking_carrier": str(body.get("tracking_carrier", "") or ""),
            "comments": str(body.get("comments", "") or ""), "merchant_shipping_cost": "0.0000",
            "billing_address": order["billing_address"],
            "shipping_address": {k: address[k] for k in ADDRESS_FIELDS},
            "items": [
                {"order_product_id": i["order_product_id"],
                 "product_id": lines[i["order_product_id"]]["product_id"],
                 "quantity": i["quantity"]} for i in items
            ],
        }  # fmt: skip
        self.shipments[order_id].append(shipment)
        return shipment
