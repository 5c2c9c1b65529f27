"""Serving a WSGI application over HTTP with waitress, a production server: a bounded
pool of threads, a cap on open connections, idle connections closed, no ``Server``
header naming versions, and a graceful stop (requests in progress finish, then every
connection closes).

``partnersync serve`` runs up to three of them (the health endpoints, the portal and
the webhook receivers, each on its own port); ``partnersync portal`` one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

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


Refusal = Callable[[str, int], None]  # the path and the status waitress answered


def _telling(on_refused: Refusal) -> type[HTTPChannel]:
    """waitress's channel, telling ``on_refused`` of each request waitress refuses itself
    (a body too large, a malformed request) before the application sees it."""

    class Told(ErrorTask):  # type: ignore[misc]
        def execute(self) -> None:
            super().execute()
            on_refused(str(getattr(self.request, "path", "") or ""), int(self.status[:3]))

    return type("TellingChannel", (HTTPChannel,), {"error_task_class": Told})


def listen(app: Any, host: str, port: int, *, name: str, max_body: int = MAX_BODY,
           on_refused: Refusal | None = None) -> Listening:
    """Serve ``app`` on ``host``:``port`` (0: any free port) in a thread named ``name``.
    A body of ``max_body`` bytes or more is refused with 413 before it is read;
    ``on_refused`` hears of that and of every other request waitress refuses itself."""
    _route_waitress_logs()
    server = create_server(app, host=host, port=port, threads=THREADS,
                           connection_limit=CONNECTION_LIMIT, channel_timeout=CHANNEL_TIMEOUT,
                           max_request_body_size=max_body, ident="",
                           expose_tracebacks=False, clear_untrusted_proxy_headers=False)
    if on_refused is not None:
        server.channel_class = _telling(on_refused)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    shown = f"[{host}]" if ":" in host else host
    return Listening(server, thread, f"http://{shown}:{server.effective_port}")
