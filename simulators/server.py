"""Serve a simulator's WSGI app on loopback in a background thread (tests and `make run`)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

HOST = "127.0.0.1"


def serve(app: WSGIApplication, port: int = 0) -> tuple[BaseWSGIServer, threading.Thread]:
    """A threaded server on 127.0.0.1:port (a free port when 0), already serving.

    Stop it with `server.shutdown()` then `thread.join()`; `server.port` is the bound port.
    """
    server = make_server(HOST, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"simulator:{server.port}")
    thread.daemon = True
    thread.start()
    return server, thread


def base_url(server: BaseWSGIServer) -> str:
    """The http:// URL the server answers on."""
    return f"http://{HOST}:{server.port}"
