"""Helpers for the BigCommerce tests: a simulator on a free loopback port and a webhook inbox."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from providers.bigcommerce.client import BigCommerceClient
from simulators.bigcommerce.app import BigCommerceSimulator
from simulators.server import base_url, serve

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

STORE_HASH = "abc123"
TOKEN = "token-for-tests"


@dataclass
class Store:
    """A running simulator and a client of it."""

    sim: BigCommerceSimulator
    url: str
    client: BigCommerceClient


@contextmanager
def running_store(**options: Any) -> Iterator[Store]:
    """Serve a fresh simulator on a free port; stop it afterwards."""
    sim = BigCommerceSimulator(STORE_HASH, TOKEN, **options)
    server, thread = serve(sim, 0)
    url = base_url(server)
    client = BigCommerceClient(url, STORE_HASH, TOKEN, timeout_s=5)
    try:
        yield Store(sim, url, client)
    finally:
        client.close()
        server.shutdown()
        thread.join()


def order_spec(lines: int = 2, **extra: Any) -> dict[str, Any]:
    """An order spec for POST /_admin/orders with `lines` products."""
    products = [
        {"sku": f"SKU-{n}", "name": f"Product {n}", "quantity": n % 3 + 1,
         "price_ex_tax": "10.5", "price_inc_tax": "11.34", "product_id": 70 + n}
        for n in range(1, lines + 1)
    ]  # fmt: skip
    address = {
        "first_name": "Jane", "last_name": "Doe", "street_1": "555 East Street",
        "city": "Austin", "state": "Texas", "zip": "78108", "country": "United States",
        "country_iso2": "US", "phone": "1234567890", "email": "janedoe@email.com",
    }  # fmt: skip
    return {"customer_id": 11, "currency_code": "USD", "billing_address": address,
            "shipping_address": address, "products": products, **extra}  # fmt: skip


@dataclass
class Inbox:
    """A WSGI app that records every POST (headers, raw body) and answers 200."""

    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        with self.lock:
            self.received.append((dict(request.headers.items()), request.get_data()))
        return Response(status=200)(environ, start_response)


@contextmanager
def running_inbox() -> Iterator[tuple[Inbox, str]]:
    """An inbox on a free port and its URL."""
    inbox = Inbox()
    server, thread = serve(inbox, 0)
    try:
        yield inbox, f"{base_url(server)}/webhooks/bigcommerce"
    finally:
        server.shutdown()
        thread.join()
