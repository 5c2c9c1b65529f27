"""Serving a WSGI application over HTTP with waitress, a production server: a bounded
pool of threads, a cap on open connections, idle connections closed, no ``Server``
header naming versions, and a graceful stop (requests in progress finish, then every
connection closes).

``partnersync serve`` runs two of them (the health endpoints, and the portal on its
own port); ``partnersync portal`` one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import structlog
from waitress import wasyncore
from waitress.server import create_server

THREADS = 8  # requests handled at once; more wait in waitress's queue
CONNECTION_LIMIT = 100  # open connections; beyond, waitress stops accepting for a while
CHANNEL_TIMEOUT = 30  # seconds an idle (or a slowly sending) connection stays open
# Bodies beyond this are refused by waitress itself (before buffering them); the portal
# answers its own, translated 413 for anything above its smaller MAX_CONTENT_LENGTH.
MAX_BODY = 1024 * 1024
GRACE_SECONDS = 10.0  # how long a stop waits for requests in progress
PATH_IN_MESSAGE = re.compile(r"(?<=serving )\S+")  # waitress: "Exception while serving /p"


def first_segment(path: str) -> str:
    """A path as logs may show one that matched nothing known: ``/nowhere`` stays,
    ``/sign-in//token/x`` becomes ``/sign-in/…`` (a path may carry a credential)."""
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        return "/"
    return "/" + segments[0] + ("/…" if len(segments) > 1 else "")


class _ToStructlog(logging.Handler):
    """waitress's own log records (a socket error, a full queue) as structured lines,
    a path in them cut to its first segment, without a traceback."""

    def emit(self, record: logging.LogRecord) -> None:
        text = PATH_IN_MESSAGE.sub(lambda found: first_segment(found.group()),
                                   record.getMessage())
        log = structlog.get_logger("partnersync.http")
        (log.warning if record.levelno >= logging.WARNING else log.debug)(
            "http.server", message=text)


def _route_waitress_logs() -> None:
    waitress_log = logging.getLogger("waitress")
    if not any(isinstance(handler, _ToStructlog) for handler in waitress_log.handlers):
        waitress_log.addHandler(_ToStructlog())
        waitress_log.setLevel(logging.INFO)
        waitress_log.propagate = False


@dataclass
class Listening:
    """A server running in a thread; ``url`` is where it listens (its real port)."""

    server: Any
    thread: threading.Thread
    url: str

    def stop(self, grace: float = GRACE_SECONDS) -> None:
        """Stop accepting, let requests in progress finish (``grace`` seconds at most)
        and their answers go out, then close every connection."""
        self._in_loop(lambda: wasyncore.dispatcher.close(self.server))  # no new ones
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=grace)
        deadline = time.monotonic() + 1.0
        while self._sending() and time.monotonic() < deadline:
            time.sleep(0.02)
        self._in_loop(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(grace)

    def _in_loop(self, action: Any) -> None:
        """Run ``action`` in the server's own thread, between two polls."""
        done = threading.Event()

        def thunk() -> None:
            try:
                action()
            finally:
                done.set()

        self.server.trigger.pull_trigger(thunk)
        done.wait(5)

    def _sending(self) -> bool:
        return any(getattr(channel, "total_outbufs_len", 0)
                   for channel in list(self.server._map.values()))


def listen(app: Any, host: str, port: int, *, name: str) -> Listening:
    """Serve ``app`` on ``host``:``port`` (0: any free port) in a thread named ``name``."""
    _route_waitress_logs()
    server = create_server(app, host=host, port=port, threads=THREADS,
                           connection_limit=CONNECTION_LIMIT, channel_timeout=CHANNEL_TIMEOUT,
                           max_request_body_size=MAX_BODY, ident="",
                           expose_tracebacks=False, clear_untrusted_proxy_headers=False)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    shown = f"[{host}]" if ":" in host else host
    return Listening(server, thread, f"http://{shown}:{server.effective_port}")
