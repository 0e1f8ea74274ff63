"""A Dynamics 365 Sales simulator (Entra ID tokens, Dataverse Web API sales orders, admin API)."""

from simulators.sales.app import DEFAULT_ENVIRONMENT, SalesSimulator
from simulators.sales.options import PROCESSING_STATUS, PROCESSING_STATUS_LABELS
from simulators.sales.store import DEFAULT_CURRENCY, DEFAULT_PRICE_LIST

__all__ = [
    "DEFAULT_CURRENCY",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_PRICE_LIST",
    "PROCESSING_STATUS",
    "PROCESSING_STATUS_LABELS",
    "SalesSimulator",
]
