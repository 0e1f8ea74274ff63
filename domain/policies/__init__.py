"""Policies: filter and execution rules over orders, lines and fulfillment orders, versioned."""
