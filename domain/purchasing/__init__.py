"""Purchasing: purchase orders mirrored from the ERP, product receipts, transfer orders, supply.

Modules: `orders` (the purchase order and its stage machine), `editing` (our create/edit API
and the ERP mirror), `receipts` (product receipts, under-delivery journal rows), `transfers`
(transfer orders), `incoming` (open lines as incoming supply) and `common`.
"""
