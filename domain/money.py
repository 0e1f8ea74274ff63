"""Money: Decimal amounts, ISO 4217 currencies and the one rounding rule of the hub.

Rounding rule (stated once, used everywhere): amounts are rounded to the currency's minor unit
with ROUND_HALF_UP, the commercial rule that storefronts and ERPs print on invoices. Floats are
never used for money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Minor units per ISO 4217 for the currencies merchants trade in; extend as merchants need.
MINOR_UNITS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2, "CZK": 2,
    "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0,
    "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3,
    "PHP": 2, "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2,
    "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip


class UnknownCurrency(ValueError):
    """A currency code that is not an ISO 4217 code the hub knows."""


def minor_units(currency: str) -> int:
    """Digits after the decimal point for the currency."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        message = f"unknown currency {currency!r} (expected an ISO 4217 code)"
        raise UnknownCurrency(message) from None


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit with the hub's one rule (ROUND_HALF_UP)."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def has_precision(amount: Decimal, currency: str) -> bool:
    """True when the amount needs no more digits than the currency allows."""
    return amount == round_money(amount, currency)
