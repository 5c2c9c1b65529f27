"""Serve a WSGI app on 127.0.0.1 in a background thread (Werkzeug's threaded server)."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from sandbox.core.wsgi import WSGIApplication

LOCALHOST = "127.0.0.1"


class _QuietHandler(WSGIRequestHandler):
    """No per-request access log: the call log is the record, and it keeps stderr clean."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            super().log(type, message, *args)


class SandboxServer:
    """`SandboxServer(app).start()` returns the base URL; `stop()` shuts it down."""

    def __init__(self, wsgi_app: WSGIApplication, host: str = LOCALHOST, port: int = 0) -> None:
        if host != LOCALHOST:
            raise ValueError("the sandbox binds 127.0.0.1 only")
        self.wsgi_app = wsgi_app
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> str:
        if self._server is not None:
            return self.url
        self._server = make_server(
            self.host, self.port, self.wsgi_app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"sandbox-{self.url}", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
