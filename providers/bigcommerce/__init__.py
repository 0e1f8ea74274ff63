"""BigCommerce (Orders V2): client, order mapping, webhook verification and the gateway."""
