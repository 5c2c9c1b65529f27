"""A vendor's delivery -> the objects to read again (``WebhookEvent``), or ``None`` for an
event the worker has no use for (answered 2xx, counted ``ignored``).

Only identities are taken from a body: the event's id and type, the object's type and
id, when it happened. Never an amount or a status: the targeted sync reads the object
through the API. A body missing what identifies an event is ``malformed`` as a whole
(nothing of it is stored; the vendor retries).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sync.ledger.webhooks import WebhookEvent
from sync.runtime import fastjson
from sync.webhooks.signatures import Refused
from sync.webhooks.subscriptions import (
    COMPANY,
    DEAL,
    HUBSPOT_OBJECT_TYPES,
    STRIPE_EVENTS,
    Watched,
)

STRIPE_OBJECTS = {"invoice": "invoice", "subscription": "subscription",
                  "customer": "customer", "account": "account"}  # data.object.object


def _malformed(what: str) -> Refused:
    return Refused("malformed", 400, what)


def _text(value: object, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value):
        raise _malformed(f"{what} missing")
    return str(value)


def _instant(value: object, per_second: int, what: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _malformed(f"{what} is not an epoch time")
    try:
        return datetime.fromtimestamp(value / per_second, UTC)
    except (OverflowError, OSError, ValueError):
        raise _malformed(f"{what} is out of range") from None


def from_stripe(event: Mapping[str, Any], live: bool | None) -> WebhookEvent | None:
    """``live``: the API key's mode. A Connect endpoint gets the connected accounts'
    events of both modes (Stripe's Connect guide: check ``livemode``); one of the other
    mode names objects the key cannot read, so it is ignored. An account endpoint gets
    its own mode's only."""
    event_id = _text(event.get("id"), "id")
    event_type = _text(event.get("type"), "type")
    occurred = _instant(event.get("created"), 1, "created")
    obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) \
        else None
    if not isinstance(obj, dict):
        raise _malformed("data.object missing")
    other_mode = live is not None and event.get("livemode") is not live
    if event_type not in STRIPE_EVENTS or (other_mode and event.get("account")):
        return None
    if event_type == "credit_note.created":  # a credit note changes its invoice
        return WebhookEvent(event_id, "stripe", event_type, "invoice",
                            _text(obj.get("invoice"), "data.object.invoice"), occurred)
    kind = STRIPE_OBJECTS.get(str(obj.get("object")))
    if kind is None:
        return None
    return WebhookEvent(event_id, "stripe", event_type, kind,
                        _text(obj.get("id"), "data.object.id"), occurred)


def hubspot_events(body: bytes, watched: Watched) -> list[WebhookEvent | None]:
    """A delivery's events (a JSON array of up to 100), in order."""
    try:
        items = fastjson.loads(body)
    except ValueError:
        raise _malformed("not JSON") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _malformed("not an array of events")
    return [from_hubspot(item, watched) for item in items]


def from_hubspot(item: Mapping[str, Any], watched: Watched) -> WebhookEvent | None:
    """``company.*``/``deal.*`` creations and property changes, and ``object.*`` ones
    (``objectTypeId``: 0-2 company, 0-3 deal, 2-... a custom object such as the payout
    records, told apart when read); a change to a property not watched is ignored.
    The id is ``hubspot:<eventId>``: HubSpot retries an event under the same eventId."""
    event_id = f"hubspot:{_text(item.get('eventId'), 'eventId')}"
    subscription = _text(item.get("subscriptionType"), "subscriptionType")
    object_id = _text(item.get("objectId"), "objectId")
    occurred = _instant(item.get("occurredAt"), 1000, "occurredAt")
    family, _, change = subscription.partition(".")
    if family == "object":
        type_id = _text(item.get("objectTypeId"), "objectTypeId")
        object_type = HUBSPOT_OBJECT_TYPES.get(type_id, type_id)
    else:
        object_type = {COMPANY: COMPANY, DEAL: DEAL}.get(family, "")
    custom = object_type not in (COMPANY, DEAL)
    if not object_type or change not in ("creation", "propertyChange") or (
            change == "creation" and custom):  # the worker creates the payout records
        return None
    if change == "propertyChange" and item.get("propertyName") not in watched.of(object_type):
        return None
    return WebhookEvent(event_id, "hubspot", subscription, object_type, object_id, occurred)
