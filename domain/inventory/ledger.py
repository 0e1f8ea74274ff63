"""Rebuilding balances from the append-only movement ledger."""

from __future__ import annotations

from collections.abc import Iterable

from domain.inventory.stock import Movement, StockBalance, apply

BalanceKey = tuple[str, str]  # (source id, product id)


def ledger_order(movements: Iterable[Movement]) -> list[Movement]:
    """Movements in commit order: by time, then id (one balance never repeats a time)."""
    return sorted(movements, key=lambda m: (m.at, m.movement_id))


def rebuild(movements: Iterable[Movement]) -> dict[BalanceKey, StockBalance]:
    """Every balance the movements add up to, each rule checked as it was when committed.

    Raises StockRuleViolation (or InvalidStockInput) if the ledger breaks a rule, which would
    mean it was written without `apply`.
    """
    balances: dict[BalanceKey, StockBalance] = {}
    for movement in ledger_order(movements):
        key = (movement.source_id, movement.product_id)
        current = balances.get(key) or StockBalance(movement.source_id, movement.product_id)
        balances[key] = apply(current, movement)
    return balances
