"""Triggers: one blueprint per family; each parses input, calls one service, maps the result."""
