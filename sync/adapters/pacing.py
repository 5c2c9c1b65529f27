"""Client-side pacing: stay under an API's rate limit so a 429 stays an exception.

A rolling window of request start times, like the vendors' own: HubSpot counts
requests per 10 seconds (plus 5 searches a second), Stripe per second. HubSpot's
``X-HubSpot-RateLimit-*`` headers tighten the window to what the portal reports.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping


class RollingWindowPacer:
    """Blocks ``acquire()`` until a request fits ``limit`` per ``window`` seconds."""

    def __init__(self, limit: int, window: float, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a pacer needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0  # total seconds spent waiting, for the run summary

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.window:
                    self._starts.popleft()
                if len(self._starts) < self.limit:
                    self._starts.append(now)
                    return
                delay = self.window - (now - self._starts[0])
            self.waited += delay
            self._sleep(delay)

    def observe(self, limit: int | None = None, remaining: int | None = None) -> None:
        """Adopt a server-reported limit, and never plan more than it says remain."""
        with self._lock:
            if limit is not None and 0 < limit < self.limit:
                self.limit = limit
            if remaining is not None:
                now = self._clock()
                used_elsewhere = self.limit - remaining - len(self._starts)
                for _ in range(max(used_elsewhere, 0)):
                    self._starts.append(now)  # requests other clients of the portal made


def hubspot_limits_from_headers(headers: Mapping[str, str]) -> tuple[int | None, int | None]:
    """``(max, remaining)`` of the rolling window, when HubSpot reported them."""

    def number(name: str) -> int | None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    return number("x-hubspot-ratelimit-max"), number("x-hubspot-ratelimit-remaining")
