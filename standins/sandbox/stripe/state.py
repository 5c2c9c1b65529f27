"""The Stripe account the stand-in serves: objects by kind, invoice lines, balance, events."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable

from sandbox.stripe.errors import StripeError
from sandbox.stripe.events import EventLog, WallClock, diff
from sandbox.stripe.objects import JSON, kind_of_id
from sandbox.stripe.webhook_endpoints import WebhookEndpoints

KINDS = (
    "customer",
    "product",
    "price",
    "coupon",
    "subscription",
    "invoice",
    "account",
    "transfer",
)

# Far more than any test pays out: the platform balance is "ample" until a test sets it.
AMPLE_BALANCE = 10**12


class StripeState:
    """All objects, kept in insertion order; lists serve them newest first."""

    def __init__(self, clock: WallClock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.events = EventLog(clock)
        self.webhook_endpoints = WebhookEndpoints()
        self._objects: dict[str, dict[str, JSON]] = {kind: {} for kind in KINDS}
        self._order: dict[str, int] = {}
        self._deleted: dict[str, JSON] = {}
        self._lines: dict[str, list[JSON]] = {}
        self._balances: dict[str, int] = {}
        self.lines_page_size = 10

    def now(self) -> int:
        """The sandbox clock as a Unix timestamp, what `created` fields hold."""
        return int(self.clock.now().timestamp())

    # -- objects -------------------------------------------------------------------

    def add(self, kind: str, obj: JSON) -> JSON:
        with self.lock:
            self._objects[kind][obj["id"]] = obj
            self._order[obj["id"]] = len(self._order)
            self._deleted.pop(obj["id"], None)
        return obj

    def exists(self, kind: str, object_id: str) -> bool:
        with self.lock:
            return object_id in self._objects[kind] or object_id in self._deleted

    def get(self, kind: str, object_id: str, param: str = "id") -> JSON:
        """The stored object itself (callers copy before changing it)."""
        with self.lock:
            found = self._objects[kind].get(object_id)
        if found is None:
            raise StripeError.resource_missing(kind, object_id, param=param)
        return found

    def referenced(self, kind: str, object_id: str, param: str) -> JSON:
        """An object a request parameter names; a missing one is a 400, not a 404."""
        try:
            return self.get(kind, object_id, param=param)
        except StripeError as missing:
            missing.status = 400
            raise

    def get_or_deleted(self, kind: str, object_id: str) -> JSON:
        """Like `get`, but a deleted object answers with its `deleted: true` stub."""
        with self.lock:
            stub = self._deleted.get(object_id)
        return copy.deepcopy(stub) if stub is not None else self.get(kind, object_id)

    def find(self, object_id: str) -> JSON | None:
        """Any object by id, for `expand` (deleted ones as their stub)."""
        with self.lock:
            if object_id in self._deleted:
                return self._deleted[object_id]
            kind = kind_of_id(object_id)
            # Coupons (and products created with an `id`) have ids without a prefix.
            for k in [kind] if kind else KINDS:
                if object_id in self._objects.get(k, {}):
                    return self.rendered(k, self._objects[k][object_id])
        return None

    def newest_first(self, kind: str, keep: Callable[[JSON], bool] = lambda _o: True) -> list[JSON]:
        with self.lock:
            objects = [o for o in self._objects[kind].values() if keep(o)]
        return sorted(objects, key=self._recency, reverse=True)

    def _recency(self, obj: JSON) -> tuple[int, int]:
        return (int(obj.get("created") or 0), self._order.get(obj["id"], 0))

    def replace(self, kind: str, new: JSON, event_type: str | None = None) -> JSON:
        """Store `new` in place of the object with its id; record `event_type` if given."""
        with self.lock:
            old = self.get(kind, new["id"])
            self._objects[kind][new["id"]] = new
            changed = diff(old, new)
            if event_type and changed:
                self.events.record(event_type, self.rendered(kind, new), changed)
        return new

    def delete(self, kind: str, object_id: str, stub: JSON) -> None:
        with self.lock:
            self.get(kind, object_id)
            del self._objects[kind][object_id]
            self._deleted[object_id] = stub

    def update_fields(self, kind: str, object_id: str, fields: JSON, event_type: str) -> JSON:
        """Change fields of a stored object as an API update does, recording the event."""
        with self.lock:
            new = copy.deepcopy(self.get(kind, object_id))
            new.update(fields)
            return self.replace(kind, new, event_type)

    # -- invoice lines ---------------------------------------------------------------

    def rendered(self, kind: str, obj: JSON) -> JSON:
        """`obj` as the API serves it: an invoice embeds only its first page of lines."""
        if kind != "invoice":
            return obj
        served = copy.deepcopy(obj)
        lines = self.lines(obj["id"]) if obj["id"] in self._lines else []
        listed = served.get("lines")
        listed = listed if isinstance(listed, dict) else {"object": "list"}
        listed.update(
            data=copy.deepcopy(lines[: self.lines_page_size]),
            has_more=len(lines) > self.lines_page_size,
            url=listed.get("url") or f"/v1/invoices/{obj['id']}/lines",
        )
        served["lines"] = listed
        return served

    def set_lines(self, invoice_id: str, lines: list[JSON]) -> None:
        with self.lock:
            self._lines[invoice_id] = lines

    def lines(self, invoice_id: str) -> list[JSON]:
        with self.lock:
            self.get("invoice", invoice_id)
            return list(self._lines.get(invoice_id, []))

    # -- platform balance ------------------------------------------------------------

    def available(self, currency: str) -> int:
        with self.lock:
            return self._balances.get(currency.lower(), AMPLE_BALANCE)

    def set_balance(self, cents: int, currency: str = "eur") -> None:
        with self.lock:
            self._balances[currency.lower()] = cents

    def debit(self, cents: int, currency: str) -> bool:
        """Take `cents` from the available balance; False (and nothing taken) if short."""
        with self.lock:
            available = self.available(currency)
            if cents > available:
                return False
            self._balances[currency.lower()] = available - cents
            return True

    def balances(self) -> dict[str, int]:
        with self.lock:
            return dict(self._balances)
