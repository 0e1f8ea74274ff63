"""Inventory: fulfillment sources, stock balances, the movement ledger and reservations."""
