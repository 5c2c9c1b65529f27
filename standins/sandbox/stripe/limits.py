"""Stripe's basic rate limiter: read and write operations per second, by mode.

Stripe documents 100 read and 100 write operations per second in live mode and 25 of
each in test mode (sandboxes); beyond that it answers 429 with code `rate_limit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Request

from sandbox.core import Admission, RollingWindow, SandboxClock, json_response
from sandbox.stripe.errors import rate_limited_body

PER_SECOND = {"live": 100, "test": 25}
READ_METHODS = frozenset({"GET", "HEAD"})


class StripeRateLimits:
    """Two one-second rolling windows on the sandbox clock: reads and writes."""

    def __init__(self, clock: SandboxClock, mode: str = "test") -> None:
        self.clock = clock
        self.enabled = True
        self.mode = mode
        limit = PER_SECOND[mode]
        self.read = RollingWindow(clock, limit, 1.0)
        self.write = RollingWindow(clock, limit, 1.0)

    def admit(self, request: Request, endpoint: str) -> Admission:
        if not self.enabled:
            return Admission()
        window = self.read if request.method in READ_METHODS else self.write
        if window.acquire().allowed:
            return Admission()
        rejection = json_response(rate_limited_body(), 429)  # headers: sandbox.stripe.headers
        return Admission(rejection=rejection)

    def configure(self, settings: Mapping[str, Any]) -> None:
        """`mode` (test/live) resets both limits; `read_per_second`, `write_per_second`
        (null = unlimited) and `enabled` override them."""
        if "mode" in settings:
            self.mode = str(settings["mode"])
            self.read.limit = self.write.limit = PER_SECOND[self.mode]
        if "read_per_second" in settings:
            self.read.limit = _limit(settings["read_per_second"])
        if "write_per_second" in settings:
            self.write.limit = _limit(settings["write_per_second"])
        if "enabled" in settings:
            self.enabled = bool(settings["enabled"])
        self.read.reset()
        self.write.reset()

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "mode": self.mode,
            "read_per_second": self.read.limit,
            "write_per_second": self.write.limit,
        }


def _limit(value: Any) -> int | None:
    return None if value is None else int(value)


def mode_of_key(api_key: str | None) -> str:
    """Live keys get live-mode limits; test keys (and the sandbox default) test-mode ones."""
    return "live" if api_key and "_live_" in api_key else "test"
