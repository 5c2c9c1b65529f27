"""Webhook deliveries from a background sender: batching, faults, retries, a log.

The stand-in's request thread only `submit`s an event (never sends); sender threads,
started on the first event, batch events per target (`batch_size`, `batch_window`),
apply the delivery fault plan, post each delivery signed by the vendor, and retry
non-2xx answers and connection failures with exponential backoff, on real time (the
receiver waits in real time even when the sandbox clock is frozen). `close()` stops
the threads and forgets what was still queued.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sandbox.core.delivery_faults import DeliveryFaultPlan, DeliveryFaults
from sandbox.core.delivery_log import DeliveryLog, post

JSON = dict[str, Any]
WRONG_SECRET = "sandbox-wrong-secret"  # what a `bad_signature` fault signs with


@dataclass(frozen=True)
class WebhookTarget:
    """Where deliveries go: `name` is `control` or the vendor's endpoint id."""

    name: str
    url: str
    secret: str


class WebhookVendor(Protocol):
    """The vendor's part: the request body, the signature, what a success means."""

    batch_size: int
    batch_window_seconds: float

    def render(self, events: Sequence[JSON], attempt: int) -> bytes: ...

    def sign(self, url: str, body: bytes, secret: str) -> dict[str, str]: ...

    def event_id(self, event: JSON) -> str: ...

    def delivered(self, target: WebhookTarget, events: Sequence[JSON]) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` tries; the Nth retry waits backoff * factor**(N-1) s."""

    max_attempts: int = 4
    backoff_seconds: float = 0.5
    factor: float = 2.0
    timeout_seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.backoff_seconds < 0 or self.factor < 1:
            raise ValueError("retry: max_attempts >= 1, backoff_seconds >= 0, factor >= 1")
        if self.timeout_seconds <= 0:
            raise ValueError("retry: timeout_seconds must be > 0")

    def wait(self, attempts_made: int) -> float:
        return self.backoff_seconds * self.factor ** (attempts_made - 1)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RetryPolicy:
        unknown = set(data or {}) - {"max_attempts", "backoff_seconds", "factor",
                                     "timeout_seconds"}
        if unknown:
            raise ValueError(f"retry: unknown keys {sorted(unknown)}")
        data, default = data or {}, cls()
        return cls(max_attempts=int(data.get("max_attempts", default.max_attempts)),
                   backoff_seconds=float(data.get("backoff_seconds", default.backoff_seconds)),
                   factor=float(data.get("factor", default.factor)),
                   timeout_seconds=float(data.get("timeout_seconds", default.timeout_seconds)))

    def to_json(self) -> JSON:
        return {"max_attempts": self.max_attempts, "backoff_seconds": self.backoff_seconds,
                "factor": self.factor, "timeout_seconds": self.timeout_seconds}


@dataclass
class Delivery:
    id: str
    target: WebhookTarget
    events: list[JSON]
    faults: DeliveryFaults = field(default_factory=DeliveryFaults)
    attempts: int = 0
    copy_of: str | None = None

    @property
    def number(self) -> int:
        """The order deliveries were made in (ids are `whd_<number>`)."""
        return int(self.id.removeprefix("whd_"))


@dataclass
class _Batch:
    target: WebhookTarget
    events: list[JSON]
    since: float


class WebhookSender:
    """Sends what `submit` is given to its target, from `concurrency` daemon threads."""

    def __init__(self, vendor: WebhookVendor, *, name: str, concurrency: int = 1) -> None:
        self.vendor = vendor
        self.name = name
        self.concurrency = concurrency
        self.faults = DeliveryFaultPlan()
        self.retry = RetryPolicy()
        self.log = DeliveryLog()
        self._cv = threading.Condition()
        self._ids = itertools.count(1)  # delivery numbers
        self._order = itertools.count()  # ties in the queue go first come, first served
        self._batches: dict[str, _Batch] = {}
        self._queue: list[tuple[float, int, Delivery]] = []
        self._held: list[tuple[float, Delivery]] = []
        self._sending = 0
        self._threads: list[threading.Thread] = []
        self._stopping = False

    # -- what the stand-in calls ------------------------------------------------------

    def submit(self, target: WebhookTarget, event: JSON) -> None:
        """Queue `event` for `target`; returns at once (delivery is the threads' job)."""
        with self._cv:
            if self._stopping:
                return
            batch = self._batches.get(target.name)
            if batch is None or batch.target != target:
                self._flush(target.name)
                batch = self._batches[target.name] = _Batch(target, [], time.monotonic())
            batch.events.append(event)
            if len(batch.events) >= self.vendor.batch_size:
                self._flush(target.name)
            self._start_threads()
            self._cv.notify_all()

    def forget(self, target_name: str) -> None:
        """Drop everything still queued for `target_name` (it was deleted)."""
        with self._cv:
            self._batches.pop(target_name, None)
            self._queue = [e for e in self._queue if e[2].target.name != target_name]
            heapq.heapify(self._queue)
            self._held = [h for h in self._held if h[1].target.name != target_name]

    def pending(self) -> int:
        """Deliveries not finished yet: batching, queued, held back or being sent."""
        with self._cv:
            return (len(self._batches) + len(self._queue) + len(self._held)
                    + self._sending)

    def close(self) -> None:
        """Stop the threads (waiting for a send in progress) and forget the queue."""
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=self.retry.timeout_seconds + 5)

    # -- scheduling (callers hold self._cv) -------------------------------------------

    def _start_threads(self) -> None:
        while len(self._threads) < self.concurrency:
            thread = threading.Thread(target=self._run, daemon=True,
                                      name=f"{self.name}-webhooks-{len(self._threads) + 1}")
            self._threads.append(thread)
            thread.start()

    def _flush(self, target_name: str) -> None:
        batch = self._batches.pop(target_name, None)
        if batch is None or not batch.events:
            return
        delivery = Delivery(f"whd_{next(self._ids)}", batch.target, batch.events,
                            self.faults.decide())
        now = time.monotonic()
        if delivery.faults.drop:
            self.log.record(delivery, None, "dropped")
        elif delivery.faults.hold_seconds > 0:
            self._held.append((now + delivery.faults.hold_seconds, delivery))
        else:
            self._push(now + delivery.faults.delay_seconds, delivery)
        if delivery.faults.duplicate and not delivery.faults.drop:
            copy = Delivery(f"whd_{next(self._ids)}", delivery.target, delivery.events,
                            copy_of=delivery.id)
            self._push(now + delivery.faults.delay_seconds, copy)

    def _push(self, due: float, delivery: Delivery) -> None:
        heapq.heappush(self._queue, (due, next(self._order), delivery))

    def _release_held(self, *, expired_before: float = 0.0, overtaken_by: int = 0) -> None:
        """Queue held deliveries past their hold, or made before delivery `overtaken_by`."""
        keep = []
        for deadline, delivery in self._held:
            if deadline <= expired_before or delivery.number < overtaken_by:
                # Ahead of what was queued meanwhile (due now or earlier): "right after".
                delay = delivery.faults.delay_seconds
                self._push(time.monotonic() + delay if delay else 0.0, delivery)
            else:
                keep.append((deadline, delivery))
        self._held = keep

    def _next_due(self, now: float) -> Delivery | float:
        """A delivery to send now, or how long to wait for the next one."""
        for name, batch in list(self._batches.items()):
            if now - batch.since >= self.vendor.batch_window_seconds:
                self._flush(name)
        self._release_held(expired_before=now)
        if self._queue and self._queue[0][0] <= now:
            return heapq.heappop(self._queue)[2]
        moments = [e[0] for e in self._queue[:1]] + [h[0] for h in self._held]
        moments += [b.since + self.vendor.batch_window_seconds for b in self._batches.values()]
        return max(min(moments, default=now + 60) - now, 0.001)

    # -- the threads ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cv:
                due = self._next_due(time.monotonic())
                while not self._stopping and not isinstance(due, Delivery):
                    self._cv.wait(due)
                    due = self._next_due(time.monotonic())
                if self._stopping or not isinstance(due, Delivery):
                    return
                self._sending += 1
            try:
                self._attempt(due)
            finally:
                with self._cv:
                    self._sending -= 1
                    self._cv.notify_all()

    def _attempt(self, delivery: Delivery) -> None:
        delivery.attempts += 1
        body = self.vendor.render(delivery.events, delivery.attempts - 1)
        wrong = delivery.faults.bad_signature and delivery.attempts == 1
        secret = WRONG_SECRET if wrong else delivery.target.secret
        headers = self.vendor.sign(delivery.target.url, body, secret)
        status, error = post(delivery.target.url, body, headers, self.retry.timeout_seconds)
        ok = 200 <= status < 300
        retry = not ok and delivery.attempts < self.retry.max_attempts
        self.log.record(delivery, status, "delivered" if ok else "retry" if retry else
                        "failed", error)
        if ok:
            self.vendor.delivered(delivery.target, delivery.events)
        with self._cv:
            if retry:
                later = replace(delivery, faults=DeliveryFaults())
                self._push(time.monotonic() + self.retry.wait(delivery.attempts), later)
            if delivery.attempts == 1:  # held deliveries made before it go right after it
                self._release_held(overtaken_by=delivery.number)
            self._cv.notify_all()
