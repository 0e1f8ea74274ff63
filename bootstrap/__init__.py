"""Composition root: typed settings and the wiring of adapters into services."""
