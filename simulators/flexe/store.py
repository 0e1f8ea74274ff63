"""The Flexe simulator's in-memory outbound orders and their status machine (not thread-safe)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

# admin command -> (statuses it may leave, status it enters)
MOVES: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({"received"}), "accepted"),
    "reject": (frozenset({"received"}), "rejected"),
    "pick": (frozenset({"accepted"}), "picked"),
    "pack": (frozenset({"picked"}), "packed"),
    "ship": (frozenset({"packed"}), "shipped"),
    "cancel": (frozenset({"received", "accepted", "picked", "packed"}), "cancelled"),
}
_ADDRESS_REQUIRED = ("name", "line1", "city", "postalCode", "country")


class SimulatedError(Exception):
    """A contract error the simulator answers with `{error: {code, message}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def now_iso() -> str:
    """The current UTC time as the contract writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class OutboundStore:
    """Outbound orders by id, with the externalId and idempotency-key indexes."""

    orders: dict[str, Json] = field(default_factory=dict)
    shipments: dict[str, list[Json]] = field(default_factory=dict)
    by_external_id: dict[str, str] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    sequence: int = 0

    def next_id(self, prefix: str) -> str:
        """A new sequential id such as `ob_000001`."""
        self.sequence += 1
        return f"{prefix}_{self.sequence:06d}"

    def create(self, body: Json, key: str) -> tuple[Json, bool]:
        """The new order, or the one a known key or externalId made; and whether it is new."""
        external_id = body.get("externalId")
        existing = self.by_key.get(key) or (
            self.by_external_id.get(external_id) if isinstance(external_id, str) else None
        )
        if existing is not None:
            self.by_key.setdefault(key, existing)
            return self.orders[existing], False
        validate_create(body)
        order_id = self.next_id("ob")
        at = now_iso()
        order: Json = {
            "id": order_id,
            "externalId": body["externalId"],
            "status": "received",
            "reason": None,
            "warehouseId": body.get("warehouseId"),
            "shipTo": body["shipTo"],
            "lines": [
                {"lineId": line["lineId"], "sku": line["sku"], "quantity": line["quantity"]}
                for line in body["lines"]
            ],
            "createdAt": at,
            "updatedAt": at,
        }
        self.orders[order_id] = order
        self.shipments[order_id] = []
        self.by_external_id[order["externalId"]] = order_id
        self.by_key[key] = order_id
        return order, True

    def get(self, order_id: str) -> Json:
        """The order with this id, or a 404 SimulatedError."""
        order = self.orders.get(order_id)
        if order is None:
            raise SimulatedError(404, "not_found", f"no outbound order {order_id}")
        return order

    def move(self, order_id: str, command: str, details: Json) -> Json | None:
        """Apply an admin or cancel command; the webhook event, or None when nothing changed."""
        order = self.get(order_id)
        sources, target = MOVES[command]
        if order["status"] == target and command == "cancel":
            return None  # cancelling twice changes nothing
        if order["status"] not in sources:
            raise SimulatedError(
                409, "invalid_state", f"cannot {command} an order that is {order['status']}"
            )
        order["status"] = target
        order["updatedAt"] = now_iso()
        event: Json = {
            "eventId": self.next_id("evt"),
            "type": "outbound_order.status_changed",
            "orderId": order_id,
            "externalId": order["externalId"],
            "status": target,
            "occurredAt": order["updatedAt"],
        }
        if command == "reject":
            order["reason"] = str(details.get("reason") or "rejected by warehouse")
            event["reason"] = order["reason"]
        if command == "ship":
            self.shipments[order_id].append(self._shipment(order, details))
            event["shipments"] = self.shipments[order_id]
        return event

    def _shipment(self, order: Json, details: Json) -> Json:
        lines = details.get("lines") or [
            {"lineId": line["lineId"], "quantity": line["quantity"]} for line in order["lines"]
        ]
        return {
            "shipmentId": self.next_id("sh"),
            "carrier": details.get("carrier", "UPS"),
            "trackingNumber": details.get("trackingNumber", f"1Z{self.sequence:010d}"),
            "lines": lines,
            "shippedAt": order["updatedAt"],
        }


def validate_create(body: Json) -> None:
    """Reject a create body that breaks the contract (422 validation_failed)."""
    problems: list[str] = []
    if not isinstance(body.get("externalId"), str) or not body["externalId"]:
        problems.append("externalId is required")
    ship_to = body.get("shipTo")
    if not isinstance(ship_to, dict):
        problems.append("shipTo is required")
    else:
        problems += [
            f"shipTo.{name} is required" for name in _ADDRESS_REQUIRED if not ship_to.get(name)
        ]
    lines = body.get("lines")
    if not isinstance(lines, list) or not lines:
        problems.append("lines must not be empty")
    else:
        for index, line in enumerate(lines):
            if not isinstance(line, dict) or not line.get("lineId") or not line.get("sku"):
                problems.append(f"lines[{index}] needs lineId and sku")
            elif not isinstance(line.get("quantity"), int) or line["quantity"] <= 0:
                problems.append(f"lines[{index}].quantity must be a positive integer")
    if problems:
        raise SimulatedError(422, "validation_failed", "; ".join(problems))
