"""Rate-limit building blocks on the sandbox clock, and the middleware that applies them.

The vendor decides which windows a request counts against and how a 429 looks (a
`RateLimitPolicy`); this module counts and keeps time.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from werkzeug.wrappers import Request, Response

from sandbox.core.clock import SandboxClock

if TYPE_CHECKING:
    from sandbox.core.wsgi import (
        EndpointNamer,
        StartResponse,
        WSGIApplication,
        WSGIEnvironment,
    )


@dataclass(frozen=True)
class WindowState:
    """A window's verdict on one request. `limit` None means unlimited."""

    allowed: bool
    limit: int | None
    remaining: int | None
    retry_after_seconds: float = 0.0


class RollingWindow:
    """At most `limit` requests in any `window_seconds` of sandbox time (None = no limit)."""

    def __init__(self, clock: SandboxClock, limit: int | None, window_seconds: float) -> None:
        self.clock = clock
        self.limit = limit
        self.window_seconds = window_seconds
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()

    def acquire(self) -> WindowState:
        """Count one request if the window has room; otherwise say how long to wait."""
        now = self.clock.monotonic()
        with self._lock:
            self._expire(now)
            if self.limit is None:
                return WindowState(True, None, None)
            if len(self._stamps) >= self.limit:
                wait = self._stamps[0] + self.window_seconds - now
                return WindowState(False, self.limit, 0, max(wait, 0.0))
            self._stamps.append(now)
            return WindowState(True, self.limit, self.limit - len(self._stamps))

    def _expire(self, now: float) -> None:
        while self._stamps and self._stamps[0] <= now - self.window_seconds:
            self._stamps.popleft()

    def reset(self) -> None:
        with self._lock:
            self._stamps.clear()


class DailyQuota:
    """At most `limit` requests per UTC day of the sandbox clock (None = no limit)."""

    def __init__(self, clock: SandboxClock, limit: int | None) -> None:
        self.clock = clock
        self.limit = limit
        self._lock = threading.Lock()
        self._day: date | None = None
        self._used = 0

    def acquire(self) -> WindowState:
        today = self.clock.now().date()
        with self._lock:
            if today != self._day:
                self._day, self._used = today, 0
            if self.limit is None:
                self._used += 1
                return WindowState(True, None, None)
            if self._used >= self.limit:
                return WindowState(False, self.limit, 0, self._seconds_to_midnight())
            self._used += 1
            return WindowState(True, self.limit, self.limit - self._used)

    def _seconds_to_midnight(self) -> float:
        now = self.clock.now()
        return 86400.0 - (now.hour * 3600 + now.minute * 60 + now.second)

    def reset(self) -> None:
        with self._lock:
            self._day, self._used = None, 0


@dataclass(frozen=True)
class Admission:
    """A policy's answer: a 429 to send instead, and headers for an admitted answer."""

    rejection: Response | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class RateLimitPolicy(Protocol):
    """What a stand-in implements to rate-limit its vendor paths."""

    def admit(self, request: Request, endpoint: str) -> Admission: ...

    def configure(self, settings: Mapping[str, Any]) -> None: ...

    def to_json(self) -> dict[str, Any]: ...


class NoRateLimit:
    """A policy that admits everything."""

    def admit(self, request: Request, endpoint: str) -> Admission:
        return Admission()

    def configure(self, settings: Mapping[str, Any]) -> None:
        return None

    def to_json(self) -> dict[str, Any]:
        return {}


class RateLimitMiddleware:
    """Asks the policy before the vendor app runs; adds its headers to the answer."""

    def __init__(
        self, app: WSGIApplication, policy: RateLimitPolicy, endpoint_of: EndpointNamer
    ) -> None:
        self.app = app
        self.policy = policy
        self.endpoint_of = endpoint_of

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        request = Request(environ)
        admission = self.policy.admit(request, self.endpoint_of(request.method, request.path))
        if admission.rejection is not None:
            return admission.rejection(environ, start_response)
        if not admission.headers:
            return self.app(environ, start_response)
        extra = list(admission.headers.items())

        def with_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None
                         ) -> Any:
            return start_response(status, headers + extra, exc_info)

        return self.app(environ, with_headers)
