"""Pure domain model: orders, policies, flows, sourcing, inventory, sync maps (no I/O)."""
