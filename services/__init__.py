"""Use cases: command handlers, ports and application errors (no I/O, no SDKs)."""
