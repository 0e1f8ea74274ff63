"""Providers: the catalog of external systems, their activation, and the action protocol."""
