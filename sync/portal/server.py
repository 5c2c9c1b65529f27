"""``partnersync portal``: the portal alone, on werkzeug's threaded server.

Each request is logged as one structured line, its path shown without a sign-in
token (a link is a credential until used). ``partnersync serve`` mounts the same
application beside /healthz and /metrics (``jobs.schedule``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import structlog
from werkzeug.serving import WSGIRequestHandler, make_server

from sync.portal.app import create_portal
from sync.portal.errors import shown_path
from sync.wiring import Services

log = structlog.get_logger("partnersync.portal")


class PortalRequestHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        text = shown_path(message % args if args else message)
        (log.warning if type == "error" else log.info)("portal.http", request=text,
                                                       client=self.address_string())

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("portal.request", method=self.command, path=shown_path(self.path),
                 status=str(code), client=self.address_string())


def serve_portal(services: Services, stop: threading.Event,
                 ready: Callable[[str], None]) -> None:
    """Serve the portal on PARTNERSYNC_SERVE_HOST/PORT until ``stop`` is set."""
    settings = services.settings
    server = make_server(settings.serve_host, settings.serve_port, create_portal(services),
                         threaded=True, request_handler=PortalRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="portal", daemon=True)
    thread.start()
    try:
        ready(f"http://{settings.serve_host}:{server.server_port}")
        stop.wait()
    finally:
        server.shutdown()
