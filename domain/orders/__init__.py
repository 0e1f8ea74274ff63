"""Orders: the sales order aggregate, its business events and the state framework."""
