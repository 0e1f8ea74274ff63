"""Providers: the catalog of external systems and their installed, activated instances."""
