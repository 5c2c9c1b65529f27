"""The sandbox clock: one notion of "now" shared by a stand-in's state and limits."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """A clock that runs at `time_scale` times real speed and can be moved by hand.

    `now()` is the wall clock records are stamped with; `monotonic()` is what rate-limit
    windows and index lag are measured on. Both advance `time_scale` seconds per real
    second (0 freezes them) plus whatever `advance()` adds. `set()` moves only the wall
    clock, so windows never run backwards.
    """

    def __init__(self, start: datetime | None = None, time_scale: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._check_scale(time_scale)
        self._scale = time_scale
        self._anchor_real = time.monotonic()
        self._anchor_virtual = 0.0
        wall = start if start is not None else datetime.now(UTC)
        self._wall_at_zero = wall.astimezone(UTC)

    @staticmethod
    def _check_scale(scale: float) -> None:
        if scale < 0:
            raise ValueError("time_scale must be >= 0")

    def _virtual(self) -> float:
        return self._anchor_virtual + (time.monotonic() - self._anchor_real) * self._scale

    def monotonic(self) -> float:
        """Seconds of sandbox time since the clock was made (scaled, never decreasing)."""
        with self._lock:
            return self._virtual()

    def now(self) -> datetime:
        """The sandbox's current instant, timezone-aware UTC."""
        with self._lock:
            return self._wall_at_zero + timedelta(seconds=self._virtual())

    def advance(self, seconds: float) -> None:
        """Jump forward: rate-limit windows, index lag and `now()` all move on."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._anchor_virtual += seconds

    def set(self, instant: datetime) -> None:
        """Make `now()` read `instant` from here on; monotonic time is unaffected."""
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        with self._lock:
            self._wall_at_zero = instant.astimezone(UTC) - timedelta(seconds=self._virtual())

    @property
    def time_scale(self) -> float:
        return self._scale

    @time_scale.setter
    def time_scale(self, scale: float) -> None:
        self._check_scale(scale)
        with self._lock:
            # Re-anchor so time already elapsed keeps the scale it elapsed under.
            self._anchor_virtual = self._virtual()
            self._anchor_real = time.monotonic()
            self._scale = scale

    def sleep(self, seconds: float) -> None:
        """Sleep `seconds` of sandbox time (real time divided by the scale)."""
        scale = self._scale
        if scale > 0:
            time.sleep(seconds / scale)
