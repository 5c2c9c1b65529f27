"""The events Stripe records on every change, served by `/v1/events` for 30 days."""

from __future__ import annotations

import copy
import fnmatch
import threading
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Protocol

from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import Params, as_list
from sandbox.stripe.lists import created_filter
from sandbox.stripe.objects import JSON, blank

RETENTION = timedelta(days=30)

# The API request being answered (`{"id", "idempotency_key"}`), stamped on its events;
# changes made through the control endpoint have none, as dashboard changes don't.
CURRENT_REQUEST: ContextVar[JSON | None] = ContextVar("stripe_request", default=None)


class WallClock(Protocol):
    def now(self) -> Any: ...


class EventLog:
    """Events in creation order; reads see only those inside the retention window."""

    def __init__(self, clock: WallClock, retention: timedelta = RETENTION) -> None:
        self._clock = clock
        self.retention = retention
        self._lock = threading.Lock()
        self._events: list[JSON] = []
        # Sets `pending_webhooks` and queues the deliveries (`sandbox.stripe.webhooks`).
        self.listener: Callable[[JSON], None] = lambda _event: None

    def record(
        self,
        type_: str,
        obj: JSON,
        previous: JSON | None = None,
        *,
        request: JSON | None = None,
    ) -> JSON:
        """Store the event for a change: a snapshot of `obj` and what changed."""
        data: JSON = {"object": copy.deepcopy(obj)}
        if previous:
            data["previous_attributes"] = copy.deepcopy(previous)
        event = blank(
            "event",
            self._now(),
            type=type_,
            data=data,
            request=request or CURRENT_REQUEST.get() or {"id": None, "idempotency_key": None},
        )
        with self._lock:
            self._events.append(event)
        self.listener(event)
        return event

    def delivered(self, event_id: str) -> None:
        """One more webhook endpoint answered 2xx for the event: one fewer pending."""
        with self._lock:
            for event in reversed(self._events):
                if event["id"] == event_id:
                    event["pending_webhooks"] = max(event["pending_webhooks"] - 1, 0)
                    return

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    def _retained(self) -> list[JSON]:
        oldest = self._now() - int(self.retention.total_seconds())
        with self._lock:
            return [e for e in self._events if e["created"] >= oldest]

    def newest_first(self, params: Params) -> list[JSON]:
        """Retained events matching `type`/`types[]`/`created`, newest first."""
        matches_type = _type_filter(params)
        matches_created = created_filter(params)
        kept = [e for e in self._retained() if matches_type(e) and matches_created(e)]
        return kept[::-1]

    def get(self, event_id: str) -> JSON:
        for event in self._retained():
            if event["id"] == event_id:
                return event
        raise StripeError.resource_missing("event", event_id)

    def all(self) -> list[JSON]:
        """Every event ever recorded, retention ignored (for tests and the control API)."""
        with self._lock:
            return list(self._events)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()


def _type_filter(params: Params) -> Callable[[JSON], bool]:
    single, many = params.get("type"), as_list(params.get("types"))
    if single and many:
        raise StripeError.invalid_request(
            "You may only specify one of these parameters: type, types.", param="types"
        )
    patterns = [str(single)] if single else [str(t) for t in many]
    if not patterns:
        return lambda _event: True
    # `type` accepts Stripe's `*` wildcard (`invoice.*`); `types[]` takes exact names.
    return lambda event: any(fnmatch.fnmatchcase(event["type"], p) for p in patterns)


def diff(before: JSON, after: JSON) -> JSON:
    """`previous_attributes`: the old value of every top-level field that changed."""
    return {k: before.get(k) for k in after if before.get(k) != after.get(k)}
