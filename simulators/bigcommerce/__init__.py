"""A BigCommerce store simulator: Orders V2, rate-limit headers, faults and webhook callbacks."""
