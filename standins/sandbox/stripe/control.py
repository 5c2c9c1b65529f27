"""Stripe's hooks for the shared `/_sandbox/records` control endpoint.

Each change records the event Stripe would emit had it happened in the dashboard or in
Stripe's own billing run. Body: `{"action": ..., ...}`:

- `update`: `object` (customer, invoice, account, ...), `id`, `fields` (top-level fields
  replaced; `metadata` merged with "" removing a key) -> `<object>.updated`
- `add`: `object`, `data` (a whole object in the pinned shape) -> `<object>.created`
- `pay_invoice`: `id`, optional `paid_at` -> `invoice.updated`, `invoice.paid`,
  `invoice.payment_succeeded`
- `delete_customer`: `id` -> `customer.deleted` (and its subscriptions canceled)
- `cancel_subscription`: `id` -> `customer.subscription.deleted`
- `set_balance`: `amount` (cents), optional `currency` (default eur)
- `config`: any of `idempotency_ttl_seconds`, `invoice_lines_page_size`,
  `event_retention_days`
- `restrict_key`: `key` (`rk_...`), `permissions` (`{"invoices": "read", ...}`, others
  none): the account accepts that restricted key, with Stripe's 403 beyond it
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sandbox.stripe.fixtures import add_object
from sandbox.stripe.idempotency import IdempotencyStore
from sandbox.stripe.objects import JSON, check_pinned_keys
from sandbox.stripe.permissions import KeyPermissions
from sandbox.stripe.routes.common import event_prefix, merged_metadata
from sandbox.stripe.routes.customers import delete_customer
from sandbox.stripe.routes.invoices import mark_paid
from sandbox.stripe.routes.subscriptions import cancel_subscription
from sandbox.stripe.state import KINDS, StripeState


class StripeControl:
    """Turns control-endpoint bodies into state changes (and their events)."""

    def __init__(self, state: StripeState, idempotency: IdempotencyStore,
                 permissions: KeyPermissions | None = None) -> None:
        self.state = state
        self.idempotency = idempotency
        self.permissions = permissions or KeyPermissions()
        self._actions: dict[str, Callable[[JSON], JSON]] = {
            "update": self.update,
            "add": self.add,
            "pay_invoice": lambda b: {"object": mark_paid(self.state, b["id"], b.get("paid_at"))},
            "delete_customer": lambda b: {"object": delete_customer(self.state, b["id"])},
            "cancel_subscription": lambda b: {
                "object": cancel_subscription(self.state, b["id"])
            },
            "set_balance": self.set_balance,
            "config": self.config,
            "restrict_key": lambda b: {"key_permissions": self.permissions.restrict(
                str(b["key"]), dict(b.get("permissions") or {}))},
        }

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        action = self._actions.get(str(body.get("action")))
        if action is None:
            raise ValueError(f"unknown action {body.get('action')!r}; one of {list(self._actions)}")
        return action(body)

    def update(self, body: JSON) -> JSON:
        kind = _kind(body)
        fields = copy.deepcopy(dict(body.get("fields") or {}))
        check_pinned_keys(kind, fields, f"the update of {kind} {body.get('id')}")
        with self.state.lock:
            current = self.state.get(kind, str(body["id"]))
            if "metadata" in fields:
                fields["metadata"] = merged_metadata(current.get("metadata"), fields["metadata"])
            updated = self.state.update_fields(
                kind, current["id"], fields, f"{event_prefix(kind)}.updated"
            )
        return {"object": self.state.rendered(kind, updated)}

    def add(self, body: JSON) -> JSON:
        kind = _kind(body)
        add_object(self.state, kind, copy.deepcopy(body["data"]), emit_event=True)
        return {"object": body["data"]}

    def set_balance(self, body: JSON) -> JSON:
        currency = str(body.get("currency", "eur"))
        self.state.set_balance(int(body["amount"]), currency)
        return {"balances": self.state.balances()}

    def config(self, body: JSON) -> JSON:
        if "idempotency_ttl_seconds" in body:
            self.idempotency.ttl_seconds = float(body["idempotency_ttl_seconds"])
        if "invoice_lines_page_size" in body:
            self.state.lines_page_size = int(body["invoice_lines_page_size"])
        if "event_retention_days" in body:
            self.state.events.retention = timedelta(days=float(body["event_retention_days"]))
        return {
            "idempotency_ttl_seconds": self.idempotency.ttl_seconds,
            "invoice_lines_page_size": self.state.lines_page_size,
            "event_retention_days": self.state.events.retention.total_seconds() / 86400,
        }


def _kind(body: JSON) -> str:
    kind = str(body.get("object"))
    if kind not in KINDS:
        raise ValueError(f"unknown object {kind!r}; one of {list(KINDS)}")
    return kind
