"""Flexe (3PL) client: outbound orders, shipments, cancellations and status webhooks."""
