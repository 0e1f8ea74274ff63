"""Fulfillment sources (warehouses, stores, 3PL sites, drop-ship vendors) and source lists."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.orders.model import Address


class SourceModel(BaseModel):
    """Base for source models: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class GeoPoint(SourceModel):
    """Latitude and longitude in decimal degrees (WGS 84)."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class FulfillmentSource(SourceModel):
    """Where lines can ship from (IOM F2): location, calendar, capacity and ERP mapping."""

    source_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    address: Address | None = None
    location: GeoPoint
    time_zone: str = Field(default="UTC", min_length=1, max_length=64)  # IANA name
    shipping_site: str | None = Field(default=None, max_length=50)  # F&O site id
    shipping_warehouse: str | None = Field(default=None, max_length=50)  # F&O warehouse id
    active: bool = True
    safety_stock: Decimal = Field(default=Decimal(0), ge=0)
    cutoff_time: time | None = None  # local time after which today's orders ship tomorrow
    working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], max_length=7)
    average_processing_hours: Decimal = Field(default=Decimal(24), ge=0)
    daily_line_capacity: int | None = Field(default=None, ge=0)
    priority: int = Field(default=100, ge=1)  # 1 is highest; breaks cost ties
    max_distance_km: Decimal | None = Field(default=None, gt=0)


class SourceList(SourceModel):
    """A named group of sources that strategies and constraints point at."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$")
    source_ids: list[str] = Field(min_length=1, max_length=500)
    max_distance_km: Decimal | None = Field(default=None, gt=0)
