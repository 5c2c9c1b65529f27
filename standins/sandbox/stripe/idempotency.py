"""Stripe's idempotent requests.

The first POST with an `Idempotency-Key` saves its status and body once the endpoint
runs, success or failure; a retry with the same key and parameters replays them
(`Idempotent-Replayed: true`); the same key with other parameters or another endpoint is
an `idempotency_error` (400); a retry while the first is still running is a 409. Keys
expire `ttl_seconds` (24 h) after first use, on the sandbox clock.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.stripe.errors import StripeError
from sandbox.stripe.events import WallClock

DEFAULT_TTL_SECONDS = 24 * 60 * 60
PURGE_EVERY = 1000  # saved answers between sweeps of expired keys


@dataclass(frozen=True)
class SavedResponse:
    status: int
    body: bytes
    request_id: str
    fingerprint: str
    path: str
    saved_at: float


@dataclass(frozen=True)
class Outcome:
    status: int
    body: bytes
    replayed: bool
    original_request: str


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    canonical = json.dumps([method.upper(), path, params], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, clock: WallClock, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self._clock = clock
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._saved: dict[str, SavedResponse] = {}
        self._running: set[str] = set()

    def _now(self) -> float:
        return float(self._clock.now().timestamp())

    def run(
        self,
        key: str,
        path: str,
        print_: str,
        request_id: str,
        execute: Callable[[], tuple[int, bytes]],
    ) -> Outcome:
        """Replay the saved answer for `key`, or run `execute` once and save its answer."""
        saved = self._claim(key, path, print_)
        if saved is not None:
            return Outcome(saved.status, saved.body, True, saved.request_id)
        try:
            status, body = execute()
            self._save(key, SavedResponse(status, body, request_id, print_, path, self._now()))
        finally:
            with self._lock:
                self._running.discard(key)
        return Outcome(status, body, False, request_id)

    def _claim(self, key: str, path: str, print_: str) -> SavedResponse | None:
        with self._lock:
            saved = self._saved.get(key)
            if saved is not None and self._now() - saved.saved_at >= self.ttl_seconds:
                del self._saved[key]
                saved = None
            if saved is not None:
                _check_same_request(key, saved, path, print_)
                return saved
            if key in self._running:
                raise StripeError(
                    409,
                    "There is currently another in-progress request using this idempotent "
                    f"key (that probably means you submitted twice, and the other request "
                    f"is still going through): {key}. Please try again later.",
                    code="idempotency_key_in_use",
                )
            self._running.add(key)
            return None

    def _save(self, key: str, saved: SavedResponse) -> None:
        with self._lock:
            self._saved[key] = saved
            if len(self._saved) % PURGE_EVERY == 0:
                self._purge_expired()

    def _purge_expired(self) -> None:
        # stripe-python keys every POST, so a long run would otherwise keep them all.
        oldest = self._now() - self.ttl_seconds
        for key in [k for k, s in self._saved.items() if s.saved_at <= oldest]:
            del self._saved[key]

    def clear(self) -> None:
        with self._lock:
            self._saved.clear()


def _check_same_request(key: str, saved: SavedResponse, path: str, print_: str) -> None:
    if saved.path != path:
        raise StripeError(
            400,
            "Keys for idempotent requests can only be used for the same endpoint they were "
            f"first used for ('{saved.path}' vs '{path}'). Try using a key other than "
            f"'{key}' if you meant to execute a different request.",
            type_="idempotency_error",
        )
    if saved.fingerprint != print_:
        raise StripeError(
            400,
            "Keys for idempotent requests can only be used with the same parameters they "
            f"were first used with. Try using a key other than '{key}' if you meant to "
            "execute a different request.",
            type_="idempotency_error",
        )
