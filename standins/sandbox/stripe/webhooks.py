"""Stripe's webhooks: every event the account records (the ones `GET /v1/events`
serves) is posted to each enabled `/v1/webhook_endpoints` endpoint listening to its
type, and to the control target of `/_sandbox/webhooks` when one is set.

One event per request, the body the event as the API serves it, signed as Stripe
documents: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`
(what `stripe.Webhook.construct_event` verifies). `t` is the machine's real time, the
moment of sending, so a receiver's tolerance applies whatever the sandbox clock says;
the event's `created` is the sandbox clock's.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from sandbox.core.webhook_hub import WebhookHub
from sandbox.core.webhooks import WebhookTarget
from sandbox.stripe.events import EventLog
from sandbox.stripe.objects import JSON
from sandbox.stripe.state import StripeState
from sandbox.stripe.webhook_endpoints import enabled_for

DEFAULT_SECRET = "whsec_sandbox"
USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def stripe_signature(body: bytes, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header of `body` signed with `secret` at `timestamp`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class StripeWebhookVendor:
    batch_size = 1  # Stripe posts each event on its own
    batch_window_seconds = 0.0

    def __init__(self, events: EventLog) -> None:
        self.events = events

    def render(self, events: Sequence[JSON], attempt: int) -> bytes:
        return json.dumps(events[0], indent=2).encode()

    def sign(self, url: str, body: bytes, secret: str) -> dict[str, str]:
        return {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                "Stripe-Signature": stripe_signature(body, secret, int(time.time()))}

    def event_id(self, event: JSON) -> str:
        return str(event["id"])

    def delivered(self, target: WebhookTarget, events: Sequence[JSON]) -> None:
        for event in events:
            self.events.delivered(event["id"])


def _options(body: Mapping[str, Any]) -> JSON:
    events = body.get("enabled_events", ["*"])
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise ValueError('enabled_events: expected a list of event types, or ["*"]')
    return {"enabled_events": list(events)}


class StripeWebhooks:
    """Queues a delivery per listening target for every event the account records."""

    def __init__(self, state: StripeState) -> None:
        self.state = state
        self.hub = WebhookHub(StripeWebhookVendor(state.events), name="stripe",
                              default_secret=DEFAULT_SECRET,
                              option_keys=frozenset({"enabled_events"}), options=_options)
        state.events.listener = self.event_recorded
        state.webhook_endpoints.on_delete = self.hub.sender.forget

    def targets(self, event_type: str) -> list[WebhookTarget]:
        """Who receives an event of `event_type`: the control target, then endpoints."""
        found = []
        control = self.hub.target
        if control is not None and enabled_for(self.hub.settings["enabled_events"], event_type):
            found.append(control)
        for endpoint, secret in self.state.webhook_endpoints.listening(event_type):
            found.append(WebhookTarget(endpoint["id"], endpoint["url"], secret))
        return found

    def event_recorded(self, event: JSON) -> None:
        targets = self.targets(event["type"])
        event["pending_webhooks"] = len(targets)
        for target in targets:
            self.hub.sender.submit(target, copy.deepcopy(event))

    def close(self) -> None:
        self.hub.close()
