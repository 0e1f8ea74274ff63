"""Dynamics 365 Finance + Operations provider: OData client, mapping and gateway actions."""
