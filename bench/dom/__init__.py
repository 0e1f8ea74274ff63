"""Benchmark of the fulfillment optimizer against a MILP optimum and the peers' rules."""
