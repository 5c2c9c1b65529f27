"""A plain http.server on a free 127.0.0.1 port that records the webhooks posted to it.

It verifies nothing itself: each test checks the signatures independently (Stripe's
with the stripe SDK, HubSpot's with a hand-written HMAC). `answers` scripts the status
of the next requests (default 200).
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names as sent
    body: bytes
    at: float  # time.monotonic() on arrival
    status: int  # what the receiver answered

    def header(self, name: str) -> str | None:
        """A header by name, whatever its case."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: list[int] = []  # statuses for the next requests, then 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    receiver.requests.append(Received(
                        self.path, dict(self.headers.items()), body, time.monotonic(), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def received(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def wait_for(self, done: Callable[[list[Received]], bool], timeout: float = 10.0
                 ) -> list[Received]:
        """Wait until `done(requests so far)`; fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.received()
            if done(seen):
                return seen
            time.sleep(0.02)
        raise AssertionError(f"the receiver got {len(self.received())} requests, "
                             "not what the test waited for")

    def wait_for_count(self, count: int, timeout: float = 10.0) -> list[Received]:
        return self.wait_for(lambda seen: len(seen) >= count, timeout)


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver._thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        receiver._thread.join(timeout=5)


def sender_threads() -> list[str]:
    """The stand-ins' webhook sender threads still alive."""
    return [t.name for t in threading.enumerate() if "-webhooks-" in t.name and t.is_alive()]
