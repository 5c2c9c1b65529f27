"""A thread-safe log of the calls a stand-in answered, for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.core.wsgi import (
        EndpointNamer,
        StartResponse,
        WSGIApplication,
        WSGIEnvironment,
    )


@dataclass(frozen=True)
class Call:
    """One answered request. `status` 0 means the connection was dropped."""

    at: datetime
    method: str
    path: str
    status: int
    endpoint: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


class CallLog:
    """Every call in arrival order, with counters per endpoint name."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))  # the sandbox clock when given
        self._lock = threading.Lock()
        self._calls: list[Call] = []

    def record(self, method: str, path: str, status: int, endpoint_name: str) -> None:
        call = Call(self._now(), method.upper(), path, status, endpoint_name)
        with self._lock:
            self._calls.append(call)

    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def count(
        self, endpoint: str | None = None, method: str | None = None, status: int | None = None
    ) -> int:
        """How many calls match every filter given."""
        return sum(
            1
            for c in self.calls()
            if (endpoint is None or c.endpoint == endpoint)
            and (method is None or c.method == method.upper())
            and (status is None or c.status == status)
        )

    def counters(self) -> dict[str, int]:
        """Calls per endpoint name."""
        return dict(Counter(c.endpoint for c in self.calls()))

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()

    def to_json(self) -> dict[str, Any]:
        return {
            "calls": [c.to_json() for c in self.calls()],
            "counters": self.counters(),
        }


class CallLogMiddleware:
    """Records every request with its final status (0 when the connection was dropped)."""

    def __init__(self, app: WSGIApplication, log: CallLog, endpoint_of: EndpointNamer) -> None:
        self.app = app
        self.log = log
        self.endpoint_of = endpoint_of

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        seen: list[int] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.append(int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info)

        try:
            body = self.app(environ, capture)
        except ConnectionError:
            self.log.record(method, path, 0, self.endpoint_of(method, path))
            raise
        self.log.record(method, path, seen[-1] if seen else 0, self.endpoint_of(method, path))
        return body
