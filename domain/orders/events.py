"""Business events: the only things that move an order or a line from one state to another.

Names follow Intelligent Order Management where it publishes one; later capabilities (providers,
sourcing, sync) raise the events listed here rather than inventing their own spellings.
"""

from __future__ import annotations

from enum import StrEnum


class BusinessEvent(StrEnum):
    """The business events the hub raises; flows use these names as step input and output."""

    NEW_ORDER = "New Order"
    HEADER_VALIDATION_SUCCEEDED = "Validation of Order Header has Succeeded"
    HEADER_VALIDATION_FAILED = "Validation of Order Header has Failed"
    LINES_VALIDATION_SUCCEEDED = "Validation of Order Lines has Succeeded"
    LINES_VALIDATION_FAILED = "Validation of Order Lines has Failed"
    ASSIGNMENT_SUCCEEDED = "Assignment by Policy has Succeeded"
    ASSIGNMENT_FAILED = "Assignment by Policy has Failed"
    OPTIMIZATION_SUCCEEDED = "Fulfillment optimization request succeeded"
    OPTIMIZATION_FAILED = "Fulfillment optimization request failed"
    PROCESS_REQUEST_SUCCEEDED = "Send fulfillment process request has Succeeded"
    PROCESS_REQUEST_FAILED = "Send fulfillment process request has Failed"
    ON_HAND_CHECK_SUCCEEDED = "On Hand Check Success"
    ON_HAND_CHECK_FAILED = "On Hand Check Failed"
    INVENTORY_NOT_FOUND = "Inventory Not Found"
    LINE_BACKORDERED = "Order Line Backordered"
    LINE_PREORDERED = "Order Line Preorder Hold"
    BACKORDER_RELEASED = "Backorder Released"
    FULFILLMENT_ORDER_CREATED = "Creation of Fulfillment Order has Succeeded"
    FULFILLMENT_ORDER_FAILED = "Creation of Fulfillment Order has Failed"
    SENT_TO_FULFILLMENT = "Send Order to Fulfillment Provider has Succeeded"
    SEND_TO_FULFILLMENT_FAILED = "Send Order to Fulfillment Provider has Failed"
    SENT_TO_BILLING = "Send Order Lines to Billing has Succeeded"
    SEND_TO_BILLING_FAILED = "Send Order Lines to Billing has Failed"
    BILLING_CONFIRMED = "Billing of order confirmed by billing provider"
    SEND_TO_INVOICE_FAILED = "Send to Invoice has Failed"
    PICKED = "Order Picked"
    PACKED = "Order Packed"
    SHIPPED = "Order Shipped"
    INVOICED = "Order Invoiced"
    ORDER_CANCELED = "Order Canceled"
    LINE_CANCELED = "Order Line Canceled"
    PROVIDER_ACTION_SUCCEEDED = "Provider Action has Succeeded"
    PROVIDER_ACTION_FAILED = "Provider Action has Failed"
    EVENT_RECEIVED = "Awaited Event Received"
