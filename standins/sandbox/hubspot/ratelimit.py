"""HubSpot's rate limits: a 10-second rolling window, 5 searches a second, a daily quota,
and the v4 association batches' own 10-second window and daily quota.

429 bodies carry `policyName` (TEN_SECONDLY_ROLLING, SECONDLY, DAILY) and
`errorType: RATE_LIMIT`; answers outside search carry the `X-HubSpot-RateLimit-*`
headers (HubSpot leaves them off search answers), an association batch's those of the
association window.

Association batches (batch/read, /create, /associate/default, /archive) are exempt from
the general 10-second window in HubSpot's OpenAPI specification
(`x-hubspot-rate-limit-exemptions: ["ten-secondly"]`) and limited apart by its
associations guide: 100 requests per 10 s on Free and Starter, 150 on Professional and
Enterprise (200 with the API limit increase), 500,000 a day. They still count towards
the portal's daily quota, which the specification does not exempt them from.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Request

from sandbox.core.clock import SandboxClock
from sandbox.core.ratelimit import Admission, DailyQuota, RollingWindow, WindowState
from sandbox.core.wsgi import json_response
from sandbox.hubspot.errors import error_body

SEARCH_ENDPOINT = "crm.objects.search"
ASSOCIATION_BATCH_ENDPOINTS = frozenset({
    "crm.associations.batch.create", "crm.associations.batch.read",
    "crm.associations.batch.default", "crm.associations.batch.archive"})
TEN_SECONDS = 10.0

DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "ten_second_limit": 190,     # private app on Professional/Enterprise; 100 on others
    "search_per_second": 5,
    "daily_limit": 1_000_000,
    "association_ten_second_limit": 150,  # Professional/Enterprise; 100 on others
    "association_daily_limit": 500_000,
}

POLICIES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


class HubSpotRateLimits:
    """A `RateLimitPolicy`. `configure()` takes any of DEFAULTS' keys (a limit of None
    means unlimited) and `reset: true` to empty the windows and the day's counts."""

    def __init__(self, clock: SandboxClock, **settings: Any) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self.settings = dict(DEFAULTS)
        self.ten_second = RollingWindow(clock, None, TEN_SECONDS)
        self.search = RollingWindow(clock, None, 1.0)
        self.daily = DailyQuota(clock, None)
        self.associations = RollingWindow(clock, None, TEN_SECONDS)
        self.association_daily = DailyQuota(clock, None)
        self.configure(settings)

    def configure(self, settings: Mapping[str, Any]) -> None:
        unknown = set(settings) - set(DEFAULTS) - {"reset"}
        if unknown:
            raise ValueError(f"unknown HubSpot limit settings: {sorted(unknown)}")
        with self._lock:
            self.settings.update({k: v for k, v in settings.items() if k in DEFAULTS})
            self.ten_second.limit = self.settings["ten_second_limit"]
            self.search.limit = self.settings["search_per_second"]
            self.daily.limit = self.settings["daily_limit"]
            self.associations.limit = self.settings["association_ten_second_limit"]
            self.association_daily.limit = self.settings["association_daily_limit"]
            if settings.get("reset"):
                self.reset()

    def reset(self) -> None:
        for window in (self.ten_second, self.search, self.associations):
            window.reset()
        self.daily.reset()
        self.association_daily.reset()

    def to_json(self) -> dict[str, Any]:
        return dict(self.settings)

    def admit(self, request: Request, endpoint: str) -> Admission:
        if not self.settings["enabled"]:
            return Admission()
        daily = self.daily.acquire()
        if endpoint == SEARCH_ENDPOINT:
            return self._admit_search(daily)
        if endpoint in ASSOCIATION_BATCH_ENDPOINTS:
            if daily.allowed:
                daily = _tighter(daily, self.association_daily.acquire())
            return self._admit_rolling(daily, self.associations)
        return self._admit_rolling(daily, self.ten_second)

    def _admit_rolling(self, daily: WindowState, rolling: RollingWindow) -> Admission:
        window = rolling.acquire() if daily.allowed else _full(rolling)
        headers = self._headers(daily, window)
        if not daily.allowed:
            return self._reject("DAILY", daily, headers)
        if not window.allowed:
            return self._reject("TEN_SECONDLY_ROLLING", window, headers)
        return Admission(headers=headers)

    def _admit_search(self, daily: WindowState) -> Admission:
        if not daily.allowed:
            return self._reject("DAILY", daily, {})
        window = self.search.acquire()
        if not window.allowed:
            return self._reject("SECONDLY", window, {})
        return Admission()

    def _headers(self, daily: WindowState, window: WindowState) -> dict[str, str]:
        headers: dict[str, str] = {}
        if daily.limit is not None:
            headers["X-HubSpot-RateLimit-Daily"] = str(daily.limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(daily.remaining)
        if window.limit is not None:
            headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(int(TEN_SECONDS * 1000))
            headers["X-HubSpot-RateLimit-Max"] = str(window.limit)
            headers["X-HubSpot-RateLimit-Remaining"] = str(window.remaining)
        return headers

    def _reject(self, policy: str, state: WindowState, headers: dict[str, str]) -> Admission:
        body = error_body(429, POLICIES[policy], "RATE_LIMITS")
        body.update(errorType="RATE_LIMIT", policyName=policy)
        retry = {"Retry-After": str(self._real_seconds(state.retry_after_seconds))}
        return Admission(rejection=json_response(body, 429, {**headers, **retry}))

    def _real_seconds(self, sandbox_seconds: float) -> int:
        """Retry-After in wall-clock seconds, so clients wait as long as the scale needs."""
        scale = self.clock.time_scale
        real = sandbox_seconds / scale if scale > 0 else sandbox_seconds
        return max(1, math.ceil(real))


def _full(window: RollingWindow) -> WindowState:
    """The headers' view of a window the request was not counted in (the day's quota
    refused it first)."""
    return WindowState(True, window.limit, window.limit)


def _tighter(first: WindowState, second: WindowState) -> WindowState:
    """Of two daily quotas, the one that refuses, else the one with less left."""
    if not second.allowed or first.remaining is None:
        return second
    if second.remaining is None or first.remaining <= second.remaining:
        return first
    return second
