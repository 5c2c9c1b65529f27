"""HubSpot's webhooks (Webhooks API, v3 signature) for record creations and changes.

Every record created or changed through the API or the control endpoint becomes
events as HubSpot sends them: a `<type>.creation`, and one `<type>.propertyChange` per
property that took a new value (on creation too, for each property given). Companies
and deals use the legacy types (`company.*`, `deal.*`); custom objects, such as the
payout records, the generic `object.*` with `objectTypeId`. Up to 100 events go in one
request, a JSON array, signed as HubSpot documents for `X-HubSpot-Signature-v3`:
base64(HMAC-SHA256(client secret, "POST" + uri + body + timestamp)), where the uri is
the target URL with HubSpot's list of percent-encoded characters decoded, and the
timestamp (`X-HubSpot-Request-Timestamp`) the machine's real time in milliseconds at
sending. `occurredAt` is the sandbox clock's.

Properties the stand-in maintains itself (`hs_object_id`, `hs_lastmodifieddate`,
`createdate`, `hs_createdate`) raise no propertyChange.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from sandbox.core.webhook_hub import WebhookHub
from sandbox.core.webhooks import JSON, WebhookTarget
from sandbox.hubspot.records import RecordChange
from sandbox.hubspot.state import HubSpotState

DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
USER_AGENT = "HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon"
LEGACY_TYPES = {"0-2": "company", "0-3": "deal"}  # the rest: `object.*`
SUBSCRIPTION_TYPES = tuple(f"{kind}.{action}" for kind in ("company", "deal", "object")
                           for action in ("creation", "propertyChange"))
SILENT_PROPERTIES = frozenset({"hs_object_id", "hs_lastmodifieddate", "createdate",
                               "hs_createdate"})
FIRST_SUBSCRIPTION_ID = 2_000_001
# Decoded in the request URI before signing (HubSpot's "Validating requests" page).
_DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
            "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}
_ENCODED = re.compile("|".join(_DECODED), re.IGNORECASE)


def signed_uri(url: str) -> str:
    return _ENCODED.sub(lambda m: _DECODED[m.group(0).upper()], url)


def signature_v3(secret: str, method: str, url: str, body: bytes, timestamp_ms: str) -> str:
    source = f"{method}{signed_uri(url)}{body.decode('utf-8')}{timestamp_ms}".encode()
    return base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest()).decode()


class HubSpotWebhookVendor:
    batch_size = 100  # HubSpot's most events per request
    batch_window_seconds = 0.1  # events of one API call travel together

    def render(self, events: Sequence[JSON], attempt: int) -> bytes:
        return json.dumps([{**e, "attemptNumber": attempt} for e in events],
                          separators=(",", ":")).encode()

    def sign(self, url: str, body: bytes, secret: str) -> dict[str, str]:
        timestamp = str(int(time.time() * 1000))
        return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                "X-HubSpot-Signature-v3": signature_v3(secret, "POST", url, body, timestamp),
                "X-HubSpot-Request-Timestamp": timestamp,
                "X-HubSpot-Signature-Version": "v3"}

    def event_id(self, event: JSON) -> str:
        return str(event["eventId"])

    def delivered(self, target: WebhookTarget, events: Sequence[JSON]) -> None:
        return None


def _subscriptions(body: Mapping[str, Any]) -> JSON:
    """`subscriptions`: `[{"subscriptionType", "propertyName"?, "objectTypeId"?}]`;
    absent (or null) means every event."""
    wanted = body.get("subscriptions")
    if wanted is None:
        return {"subscriptions": None}
    if not isinstance(wanted, list):
        raise ValueError("subscriptions: expected a list of {subscriptionType, ...}")
    for item in wanted:
        kind = item.get("subscriptionType") if isinstance(item, dict) else None
        if kind not in SUBSCRIPTION_TYPES:
            raise ValueError(f"subscriptions: subscriptionType {kind!r}; expected one of "
                             f"{list(SUBSCRIPTION_TYPES)}")
        if set(item) - {"subscriptionType", "propertyName", "objectTypeId"}:
            raise ValueError(f"subscriptions: unknown keys in {item}")
    return {"subscriptions": [dict(item) for item in wanted]}


class HubSpotWebhooks:
    """Turns the portal's record changes into events for the control target."""

    def __init__(self, state: HubSpotState) -> None:
        self.state = state
        self.hub = WebhookHub(HubSpotWebhookVendor(), name="hubspot",
                              default_secret=DEFAULT_CLIENT_SECRET,
                              option_keys=frozenset({"subscriptions"}), options=_subscriptions)
        self._event_ids = itertools.count(1)
        self._default_ids: dict[tuple[str, str], int] = {}
        state.on_change = self.record_changed

    def record_changed(self, change: RecordChange) -> None:
        target = self.hub.target
        if target is None:
            return
        occurred_at = int(self.state.clock.now().timestamp() * 1000)
        kind = LEGACY_TYPES.get(change.type_id, "object")
        candidates: list[tuple[str, str | None, str | None]] = []
        if change.created:
            candidates.append((f"{kind}.creation", None, None))
        candidates += [(f"{kind}.propertyChange", name, value)
                       for name, value in change.properties.items()
                       if name not in SILENT_PROPERTIES]
        for subscription_type, name, value in candidates:
            subscription_id = self._subscription(subscription_type, change.type_id, name)
            if subscription_id is not None:
                self.hub.sender.submit(target, self._event(
                    change, subscription_type, subscription_id, occurred_at, name, value))

    def _subscription(self, subscription_type: str, type_id: str, name: str | None
                      ) -> int | None:
        """The id of the subscription the event falls under; None when none does."""
        listed = self.hub.settings["subscriptions"]
        if listed is None:
            key = (subscription_type, type_id)
            return self._default_ids.setdefault(key, FIRST_SUBSCRIPTION_ID + len(self._default_ids))
        for index, item in enumerate(listed):
            if (item["subscriptionType"] == subscription_type
                    and item.get("propertyName") in (None, name)
                    and item.get("objectTypeId") in (None, type_id)):
                return FIRST_SUBSCRIPTION_ID + index
        return None

    def _event(self, change: RecordChange, subscription_type: str, subscription_id: int,
               occurred_at: int, name: str | None, value: str | None) -> JSON:
        event: JSON = {
            "eventId": next(self._event_ids), "subscriptionId": subscription_id,
            "portalId": self.state.portal_id, "appId": self.state.private_app.app_id,
            "occurredAt": occurred_at, "subscriptionType": subscription_type,
            "attemptNumber": 0,
            "objectId": int(change.record_id) if change.record_id.isdigit() else change.record_id,
        }
        if change.type_id not in LEGACY_TYPES:
            event["objectTypeId"] = change.type_id
        if name is not None:
            event["propertyName"], event["propertyValue"] = name, value or ""
        event["changeSource"] = change.source.source_type
        if change.source.source_id is not None:
            event["sourceId"] = change.source.source_id
        return event

    def close(self) -> None:
        self.hub.close()
