"""Flexe wire DTOs: camelCase on the wire, tolerant of fields this client does not know."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

STATUS_CHANGED = "outbound_order.status_changed"
FINAL_STATUSES = frozenset({"shipped", "rejected", "cancelled"})


class FlexeModel(BaseModel):
    """Base for Flexe DTOs: camelCase aliases, unknown fields ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    def wire(self) -> dict[str, object]:
        """The JSON body for this DTO, camelCase keys, unset optional fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class ShipTo(FlexeModel):
    """Destination address of an outbound order."""

    name: str
    line1: str
    line2: str | None = None
    city: str
    state: str | None = None
    postal_code: str
    country: str


class OutboundLine(FlexeModel):
    """One line of an outbound order: what to ship, in eaches."""

    line_id: str
    sku: str
    quantity: int


class OutboundOrderRequest(FlexeModel):
    """The body of `POST /v1/outbound-orders`."""

    external_id: str
    ship_to: ShipTo
    lines: list[OutboundLine]
    warehouse_id: str | None = None


class OutboundOrder(FlexeModel):
    """An outbound order as Flexe reports it."""

    id: str
    external_id: str
    status: str
    reason: str | None = None
    warehouse_id: str | None = None
    lines: list[OutboundLine] = Field(default_factory=list)

    @property
    def final(self) -> bool:
        """True once shipped, rejected or cancelled."""
        return self.status in FINAL_STATUSES


class OutboundOrderList(FlexeModel):
    """The body of `GET /v1/outbound-orders?externalId=`."""

    outbound_orders: list[OutboundOrder] = Field(default_factory=list)


class ShipmentLine(FlexeModel):
    """How much of one order line a shipment carried."""

    line_id: str
    quantity: int


class Shipment(FlexeModel):
    """A parcel that left the warehouse, with carrier and tracking."""

    shipment_id: str
    carrier: str | None = None
    tracking_number: str | None = None
    lines: list[ShipmentLine] = Field(default_factory=list)
    shipped_at: str | None = None


class ShipmentList(FlexeModel):
    """The body of `GET /v1/outbound-orders/{id}/shipments`."""

    shipments: list[Shipment] = Field(default_factory=list)


class StatusChanged(FlexeModel):
    """The webhook Flexe posts for every status change of an outbound order."""

    event_id: str
    type: str
    order_id: str
    external_id: str
    status: str
    reason: str | None = None
    shipments: list[Shipment] = Field(default_factory=list)
    occurred_at: str


class ErrorDetail(FlexeModel):
    """Code and message of a Flexe error."""

    code: str = "unknown"
    message: str = ""


class ErrorBody(FlexeModel):
    """The body of every Flexe error response."""

    error: ErrorDetail = Field(default_factory=ErrorDetail)
