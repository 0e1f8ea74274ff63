"""A local Azure Functions host for Python v2 apps, for machines without Core Tools."""
