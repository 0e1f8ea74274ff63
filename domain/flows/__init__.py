"""Orchestration flows as data: steps chained by business events, published and versioned."""
