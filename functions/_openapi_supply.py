"""OpenAPI rows for the supply side: inventory, sources, strategies, purchasing, settings, jobs."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from domain.inventory.sources import FulfillmentSource, SourceList
from domain.orders.preferences import OrderHandlingPreferences
from domain.providers.model import ProviderDefinition, ProviderInstance
from domain.purchasing.common import IncomingSupply
from domain.purchasing.editing import ErpStatusUpdate, NewPurchaseOrder, PurchaseOrderDefinition
from domain.purchasing.orders import PurchaseOrder
from domain.purchasing.receipts import ProductReceipt, ProductReceiptInput
from domain.purchasing.transfers import (
    NewTransferOrder,
    ReceiveTransferOrder,
    ShipTransferOrder,
    TransferOrder,
    TransferReceipt,
)
from domain.sourcing.model import FulfillmentPlan, Strategy
from functions._openapi_operations import (
    _CONTINUATION,
    _DELETED,
    _KEYED_EDIT,
    _STRING,
    Operation,
    Ref,
    _array,
    _object,
    _page,
    _query,
)
from functions.fulfillment import PlanRequest
from functions.inventory import ProductStock, StockLevel, StockUpdate
from functions.jobs import KNOWN_JOBS
from functions.jobs import MAX_LIMIT as MAX_JOB_RUNS
from functions.purchasing import MAX_LIMIT as MAX_DOCUMENTS
from services.jobs import JobStatus
from services.provider_events import ProviderEvent
from services.providers.catalog import InstallProvider

SUPPLY_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (StockUpdate, "validation"), (StockLevel, "serialization"), (ProductStock, "serialization"),
    (FulfillmentSource, "validation"), (FulfillmentSource, "serialization"),
    (SourceList, "validation"), (SourceList, "serialization"),
    (Strategy, "validation"), (Strategy, "serialization"), (PlanRequest, "validation"),
    (FulfillmentPlan, "serialization"),
    (NewPurchaseOrder, "validation"), (PurchaseOrderDefinition, "validation"),
    (ErpStatusUpdate, "validation"), (ProductReceiptInput, "validation"),
    (NewTransferOrder, "validation"), (ShipTransferOrder, "validation"),
    (ReceiveTransferOrder, "validation"), (PurchaseOrder, "serialization"),
    (ProductReceipt, "serialization"), (TransferOrder, "serialization"),
    (TransferReceipt, "serialization"), (IncomingSupply, "serialization"),
    (OrderHandlingPreferences, "validation"), (OrderHandlingPreferences, "serialization"),
    (ProviderDefinition, "serialization"), (ProviderInstance, "serialization"),
    (InstallProvider, "validation"), (ProviderEvent, "validation"),
]  # fmt: skip

_SOURCE = ("The source", Ref(FulfillmentSource))
_SOURCE_LIST = ("The source list", Ref(SourceList))
_STRATEGY = ("The strategy", Ref(Strategy))
_PURCHASE_ORDER = ("The purchase order", Ref(PurchaseOrder))
_PO_WITH_RECEIPTS = {"allOf": [Ref(PurchaseOrder), _object(receipts=_array(Ref(ProductReceipt)))]}
_TO_WITH_RECEIPTS = {"allOf": [Ref(TransferOrder), _object(receipts=_array(Ref(TransferReceipt)))]}
_TO_RECEIVED = _object(transferOrder=Ref(TransferOrder), receipt=Ref(TransferReceipt))
_DOCUMENT_PAGE_QUERY = (
    _query("limit", "page size", type="integer", minimum=1, maximum=MAX_DOCUMENTS, default=50),
    _CONTINUATION,
)
_JOB_RUN = _object(
    job={"enum": list(KNOWN_JOBS)}, runId=_STRING,
    startedAt={"type": "string", "format": "date-time"},
    endedAt={"type": ["string", "null"], "format": "date-time"},
    status={"enum": [s.value for s in JobStatus]}, trigger={"enum": ["timer", "api"]},
    examined={"type": "integer"}, released={"type": "integer"},
    cancelled={"type": "integer"}, details=_array(_STRING),
    counts={"type": "object", "additionalProperties": {"type": "integer"}},
)  # fmt: skip
_PROVIDER = ("The provider", Ref(ProviderInstance))
_PREFERENCES = ("The order handling preferences", Ref(OrderHandlingPreferences))

SUPPLY_OPERATIONS: tuple[Operation, ...] = (
    Operation("update_stock", "PUT", "/api/inventory/{source_id}/{product_id}", "inventory",
              "Set (onHand) or adjust (adjustBy) a product's on hand at a source; idempotent "
              "by reference; an unknown source is a 404", {"200": ("The balance", Ref(StockLevel))},
              _KEYED_EDIT, body=StockUpdate),
    Operation("get_stock", "GET", "/api/inventory/{product_id}", "inventory",
              "A product's on hand, reserved and available (ATP) per source and in total",
              {"200": ("The availability", Ref(ProductStock))}, ("400",)),
    Operation("create_source", "POST", "/api/sources", "sources", "Create a fulfillment source",
              {"201": ("Created (Location: the source)", Ref(FulfillmentSource))},
              ("400", "409", "413"), body=FulfillmentSource, location="201"),
    Operation("list_sources", "GET", "/api/sources", "sources", "Every fulfillment source",
              {"200": ("The sources", _object(sources=_array(Ref(FulfillmentSource))))}),
    Operation("get_source", "GET", "/api/sources/{source_id}", "sources",
              "The fulfillment source", {"200": _SOURCE}, ("404",)),
    Operation("replace_source", "PUT", "/api/sources/{source_id}", "sources",
              "Replace a source's settings (the body's sourceId may be left out)",
              {"200": _SOURCE}, _KEYED_EDIT, body=FulfillmentSource),
    Operation("delete_source", "DELETE", "/api/sources/{source_id}", "sources",
              "Delete a source that no source list names", _DELETED, ("404", "409")),
    Operation("create_source_list", "POST", "/api/source-lists", "sources",
              "Create a source list of existing sources",
              {"201": ("Created (Location: the list)", Ref(SourceList))}, ("400", "409", "413"),
              body=SourceList, location="201"),
    Operation("list_source_lists", "GET", "/api/source-lists", "sources", "Every source list",
              {"200": ("The source lists", _object(sourceLists=_array(Ref(SourceList))))}),
    Operation("get_source_list", "GET", "/api/source-lists/{name}", "sources",
              "The source list", {"200": _SOURCE_LIST}, ("404",)),
    Operation("replace_source_list", "PUT", "/api/source-lists/{name}", "sources",
              "Replace a source list (the body's name may be left out)", {"200": _SOURCE_LIST},
              _KEYED_EDIT, body=SourceList),
    Operation("delete_source_list", "DELETE", "/api/source-lists/{name}", "sources",
              "Delete a source list", _DELETED, ("404",)),
    Operation("create_strategy", "POST", "/api/strategies", "fulfillment",
              "Create a fulfillment strategy (marking it default unmarks the previous one)",
              {"201": _STRATEGY}, ("400", "409", "413"), body=Strategy),
    Operation("list_strategies", "GET", "/api/strategies", "fulfillment", "Every strategy",
              {"200": ("The strategies", _object(strategies=_array(Ref(Strategy))))}),
    Operation("get_strategy", "GET", "/api/strategies/{name}", "fulfillment", "The strategy",
              {"200": _STRATEGY}, ("404",)),
    Operation("replace_strategy", "PUT", "/api/strategies/{name}", "fulfillment",
              "Replace a strategy's source list, constraints, default flag or alternate",
              {"200": _STRATEGY}, _KEYED_EDIT, body=Strategy),
    Operation("delete_strategy", "DELETE", "/api/strategies/{name}", "fulfillment",
              "Delete a strategy no other strategy falls back to", _DELETED, ("404", "409")),
    Operation("plan_fulfillment", "POST", "/api/fulfillment/plan", "fulfillment",
              "What-if (dry_run=true): the optimizer's plan with a reason for every choice and "
              "exclusion, for an order's open quantities or ad-hoc lines; reserves nothing",
              {"200": ("The plan", Ref(FulfillmentPlan))}, ("400", "404", "413"),
              body=PlanRequest,
              query=(_query("dry_run", "must be true", type="boolean", default=True),)),
    Operation("create_purchase_order", "POST", "/api/purchase-orders", "purchasing",
              "Create a draft purchase order (the ERP confirms it); idempotent on purchaseOrderId",
              {"201": ("Created (Location: the purchase order)", _PO_WITH_RECEIPTS),
               "200": ("Sent before with the same id and content", _PO_WITH_RECEIPTS)},
              ("400", "409", "413"), body=NewPurchaseOrder, location="201"),
    Operation("list_purchase_orders", "GET", "/api/purchase-orders", "purchasing",
              "Purchase orders in id order, a page at a time",
              {"200": ("A page of purchase orders", _page("purchaseOrders", Ref(PurchaseOrder)))},
              ("400",), query=_DOCUMENT_PAGE_QUERY),
    Operation("get_purchase_order", "GET", "/api/purchase-orders/{po_id}", "purchasing",
              "The purchase order: lines, ERP statuses, stage and product receipts",
              {"200": ("The purchase order", _PO_WITH_RECEIPTS)}, ("404",)),
    Operation("edit_purchase_order", "PUT", "/api/purchase-orders/{po_id}", "purchasing",
              "Replace header and lines; only once the ERP confirmed it and before it is "
              "finalized; ERP-owned fields (prices, discounts, net amounts) are refused",
              {"200": _PURCHASE_ORDER}, _KEYED_EDIT, body=PurchaseOrderDefinition),
    Operation("mirror_purchase_order_status", "POST", "/api/purchase-orders/{po_id}/status",
              "purchasing",
              "Mirror an ERP status update: statuses, PO number, dates, prices per line",
              {"200": _PURCHASE_ORDER}, _KEYED_EDIT, body=ErpStatusUpdate),
    Operation("post_purchase_order_receipt", "POST", "/api/purchase-orders/{po_id}/receipts",
              "purchasing",
              "Post a product receipt (idempotent on receiptId); closing a line short writes "
              "the shortfall off with an under-delivery journal row",
              {"201": ("Posted", Ref(ProductReceipt)),
               "200": ("Posted before with the same id and lines", Ref(ProductReceipt))},
              _KEYED_EDIT, body=ProductReceiptInput),
    Operation("get_incoming_supply", "GET", "/api/products/{product_id}/incoming", "purchasing",
              "Open purchase and transfer order lines of a product, soonest expected first",
              {"200": ("The incoming supply", _object(productId=_STRING,
                                                       incoming=_array(Ref(IncomingSupply)),
                                                       totalRemaining=_STRING))}),
    Operation("create_transfer_order", "POST", "/api/transfer-orders", "purchasing",
              "Create a transfer order (Created); idempotent on transferOrderId",
              {"201": ("Created (Location: the transfer order)", _TO_WITH_RECEIPTS),
               "200": ("Sent before with the same id and content", _TO_WITH_RECEIPTS)},
              ("400", "409", "413"), body=NewTransferOrder, location="201"),
    Operation("list_transfer_orders", "GET", "/api/transfer-orders", "purchasing",
              "Transfer orders in id order, a page at a time",
              {"200": ("A page of transfer orders", _page("transferOrders", Ref(TransferOrder)))},
              ("400",), query=_DOCUMENT_PAGE_QUERY),
    Operation("get_transfer_order", "GET", "/api/transfer-orders/{to_id}", "purchasing",
              "The transfer order with its lines and receipts",
              {"200": ("The transfer order", _TO_WITH_RECEIPTS)}, ("404",)),
    Operation("ship_transfer_order", "POST", "/api/transfer-orders/{to_id}/ship", "purchasing",
              "Ship line quantities (no body: everything not shipped yet)",
              {"200": ("The shipped transfer order", Ref(TransferOrder))}, _KEYED_EDIT,
              body=ShipTransferOrder, body_required=False),
    Operation("receive_transfer_order", "POST", "/api/transfer-orders/{to_id}/receive",
              "purchasing",
              "Receive shipped stock (no body: everything in transit); idempotent on receiptId",
              {"201": ("Received", _TO_RECEIVED),
               "200": ("Received before with the same receipt id", _TO_RECEIVED)},
              _KEYED_EDIT, body=ReceiveTransferOrder, body_required=False),
    Operation("list_provider_catalog", "GET", "/api/providers/catalog", "providers",
              "Every provider definition: actions (attempts, timeout), connections, parameters",
              {"200": ("The catalog", _object(providers=_array(Ref(ProviderDefinition))))}),
    Operation("install_provider", "POST", "/api/providers", "providers",
              "Install a provider (Installed); connections name app settings, never secrets",
              {"201": _PROVIDER}, ("400", "413"), body=InstallProvider),
    Operation("list_providers", "GET", "/api/providers", "providers", "Installed providers",
              {"200": ("The providers", _object(providers=_array(Ref(ProviderInstance))))}),
    Operation("get_provider", "GET", "/api/providers/{instance_id}", "providers",
              "An installed provider", {"200": _PROVIDER}, ("404",)),
    Operation("activate_provider", "POST", "/api/providers/{instance_id}/activate", "providers",
              "Activate (the previous active instance of the provider is deactivated)",
              {"200": _PROVIDER}, ("404", "409")),
    Operation("deactivate_provider", "POST", "/api/providers/{instance_id}/deactivate",
              "providers", "Deactivate: flows can no longer call it", {"200": _PROVIDER},
              ("404",)),
    Operation("uninstall_provider", "DELETE", "/api/providers/{instance_id}", "providers",
              "Remove an inactive provider", _DELETED, ("404", "409")),
    Operation("receive_provider_event", "POST", "/api/events/{provider}", "providers",
              "Accept a provider's status event (picked, packed, shipped, invoiced, ...) into "
              "the event queue; applied once per eventId; 401 when the provider secret "
              "(X-Provider-Secret) does not match", {"202": ("Queued", _object(accepted=_STRING))},
              ("400", "401", "404", "413"), body=ProviderEvent),
    Operation("receive_bigcommerce_webhook", "POST", "/api/webhooks/bigcommerce", "providers",
              "A BigCommerce webhook callback (store/order/created|updated|statusUpdated): the "
              "order id is queued and the order taken once per (channel, order id); no function "
              "key: the custom secret header (X-Hub-Webhook-Secret) and, when configured, the "
              "Standard Webhooks signature authenticate it",
              {"200": ("Accepted (no body)", None),
               "401": ("Not authentic: wrong secret header or signature; nothing queued", None)},
              ("413", "503"), anonymous=True),
    Operation("get_order_handling", "GET", "/api/settings/order-handling", "settings",
              "The order handling preferences (the defaults until someone saves them)",
              {"200": _PREFERENCES}),
    Operation("set_order_handling", "PUT", "/api/settings/order-handling", "settings",
              "Replace the order handling preferences (omitted fields take their defaults)",
              {"200": _PREFERENCES}, ("400", "413"), body=OrderHandlingPreferences),
    Operation("list_job_runs", "GET", "/api/jobs/{job}/runs", "jobs",
              "A job's runs (start, end, status, counts), newest first, a page at a time",
              {"200": ("A page of runs", _page("runs", _JOB_RUN))}, ("400", "404"),
              query=(_query("limit", "page size", type="integer", minimum=1,
                            maximum=MAX_JOB_RUNS, default=50),
                     _CONTINUATION)),
    Operation("run_backorder_release", "POST", "/api/jobs/backorder-release/run", "jobs",
              "Run the backorder release job now: release held lines that got supply, cancel "
              "those past their SLA", {"200": ("The finished run (status says if it failed)",
                                               _JOB_RUN)}),
)  # fmt: skip
