"""Dynamics 365 Sales through the Dataverse Web API: client, tokens and the sync endpoint."""
