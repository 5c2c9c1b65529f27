"""Is a delivery the vendor's, and fresh? Stripe's ``Stripe-Signature`` verified by the
SDK (``stripe.Webhook.construct_event``, 300 s tolerance); HubSpot's
``X-HubSpot-Signature-v3`` by its documented scheme: base64 of HMAC-SHA256, keyed by the
app's client secret, over method + URI + body + timestamp, the timestamp (epoch ms, in
``X-HubSpot-Request-Timestamp``) no more than 5 minutes off.

A refusal is a ``Refused`` carrying its outcome (as ``/metrics`` counts it) and HTTP
status; nothing refused is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import stripe

TOLERANCE_SECONDS = 300  # both vendors': an older delivery may be a replay
# HubSpot decodes these in the URI before signing it (its request validation guide);
# any other escape stays as sent.
HUBSPOT_DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
                   "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}


class Refused(Exception):
    """A delivery refused: ``outcome`` is its /metrics label, ``status`` the answer."""

    def __init__(self, outcome: str, status: int, reason: str) -> None:
        super().__init__(reason)
        self.outcome, self.status, self.reason = outcome, status, reason


def stripe_event(payload: bytes, header: str | None,
                 secrets: Sequence[str]) -> dict[str, Any]:
    """The event, once the signature of one of ``secrets`` matches and is recent.
    Refused as ``stale`` when a secret signed it more than 300 s ago, else as
    ``bad_signature``; ``malformed`` when signed but not a Stripe event."""
    for secret in secrets:
        try:
            event = stripe.Webhook.construct_event(payload, header, secret,
                                                   tolerance=TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError:
            continue
        except ValueError as error:  # signed, but not JSON, or not an event
            raise Refused("malformed", 400, f"not a Stripe event ({type(error).__name__})"
                          ) from None
        found: dict[str, Any] = event.to_dict(recursive=True)
        return found
    if any(_signed_long_ago(payload, header, secret) for secret in secrets):
        raise Refused("stale", 401, "signed more than 300 s ago (a replay?)")
    raise Refused("bad_signature", 401, "no valid Stripe-Signature for the configured "
                                        "secret(s)")


def _signed_long_ago(payload: bytes, header: str | None, secret: str) -> bool:
    """The signature matches when its age is not checked: the delivery is stale."""
    try:
        return bool(stripe.WebhookSignature.verify_header(payload, header, secret,
                                                          tolerance=None))
    except (stripe.SignatureVerificationError, ValueError):
        return False


def hubspot_uri(uri: str) -> str:
    """The URI as HubSpot signs it: the escapes of ``HUBSPOT_DECODED`` decoded."""
    for escaped, character in HUBSPOT_DECODED.items():
        uri = uri.replace(escaped, character).replace(escaped.lower(), character)
    return uri


def hubspot_signature(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """X-HubSpot-Signature-v3 of a request (``uri`` as HubSpot called it)."""
    signed = method.encode() + hubspot_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_hubspot(secret: str, method: str, uri: str, body: bytes, signature: str | None,
                   timestamp: str | None, now_ms: int) -> None:
    """Refused unless ``signature`` is the request's and ``timestamp`` within 5 min."""
    if not signature or not timestamp:
        raise Refused("bad_signature", 401, "X-HubSpot-Signature-v3 or "
                                            "X-HubSpot-Request-Timestamp missing")
    if not timestamp.isdigit():
        raise Refused("bad_signature", 401, "X-HubSpot-Request-Timestamp is not epoch ms")
    if abs(now_ms - int(timestamp)) > TOLERANCE_SECONDS * 1000:
        raise Refused("stale", 401, "X-HubSpot-Request-Timestamp more than 5 minutes off "
                                    "(a replay?)")
    expected = hubspot_signature(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise Refused("bad_signature", 401, "X-HubSpot-Signature-v3 does not match (the "
                                            "client secret, or PARTNERSYNC_WEBHOOK_PUBLIC_URL)")
