"""Great-circle (aerial) distance, the distance IOM uses unless road distance is switched on."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

from domain.inventory.sources import GeoPoint

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), the usual haversine constant


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance between two points in kilometres."""
    lat1, lat2 = radians(a.latitude), radians(b.latitude)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = radians(b.longitude - a.longitude) / 2
    h = sin(half_dlat) ** 2 + cos(lat1) * cos(lat2) * sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))
