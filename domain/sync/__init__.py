"""Dual-write sync maps as data, and the pure engine that applies them in either direction."""
