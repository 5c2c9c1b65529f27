"""How the tests' receiver checks what it got, independently of the stand-ins' code:
Stripe's signature with the stripe SDK's own `Webhook.construct_event`, HubSpot's with
an HMAC written here from HubSpot's documentation (base64 of HMAC-SHA256, with the client
secret, of method + uri + body + timestamp; refused when older than 5 minutes)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import stripe

from tests.sandbox.webhooks.receiver import Received

STRIPE_SECRET = "whsec_test_receiver"
HUBSPOT_SECRET = "client-secret-of-the-test-app"
FAST = {"backoff_seconds": 0.05, "factor": 1.0}  # retries that keep the tests short


def verified(request: Received, secret: str | None = STRIPE_SECRET) -> stripe.Event:
    """The Stripe event, once the stripe SDK has checked its signature (300 s)."""
    event: stripe.Event = stripe.Webhook.construct_event(
        request.body, request.header("Stripe-Signature"), secret, tolerance=300)
    return event


def event_ids(requests: list[Received]) -> list[str]:
    """The Stripe event ids, in the order the requests arrived."""
    return [json.loads(r.body)["id"] for r in requests]


def hubspot_signature_is_valid(request: Received, url: str,
                               secret: str = HUBSPOT_SECRET) -> bool:
    timestamp = request.header("X-HubSpot-Request-Timestamp") or "0"
    if time.time() * 1000 - int(timestamp) > 5 * 60 * 1000:
        return False
    source = b"POST" + url.encode() + request.body + timestamp.encode()
    expected = base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest())
    return hmac.compare_digest(expected.decode(), request.header("X-HubSpot-Signature-v3") or "")


def hubspot_events(requests: list[Received]) -> list[dict[str, Any]]:
    """Every HubSpot event of the requests (each a JSON array), in order."""
    return [event for r in requests for event in json.loads(r.body)]
