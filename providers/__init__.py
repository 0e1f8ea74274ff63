"""Clients of the external systems the hub talks to, each behind the ProviderGateway port."""
