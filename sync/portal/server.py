"""The portal served over HTTP on its own port (PARTNERSYNC_PORTAL_HOST/PORT), by
waitress (``sync.runtime.http``): ``partnersync portal`` alone, and ``partnersync
serve`` beside its internal health server (``jobs.schedule``).

Each request is logged as one structured line by the application itself
(``sync.portal.access_log``), its path as the route's pattern: never a sign-in token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sync.portal.app import create_portal
from sync.runtime.http import Listening, listen
from sync.wiring import Services


def start_portal(services: Services) -> Listening:
    """The portal listening on PARTNERSYNC_PORTAL_HOST/PORT, in a thread."""
    settings = services.settings
    return listen(create_portal(services), settings.resolved_portal_host,
                  settings.portal_port, name="portal")


def serve_portal(services: Services, stop: threading.Event,
                 ready: Callable[[str], None]) -> None:
    """Serve the portal until ``stop`` is set; ``ready`` gets where it listens."""
    running = start_portal(services)
    try:
        ready(running.url)
        stop.wait()
    finally:
        running.stop()
