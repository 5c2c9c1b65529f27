"""``partnersync webhooks setup``: the endpoints and events to subscribe to, and, for
Stripe, their registration through its API (``/v1/webhook_endpoints``).

Stripe sends the events of the platform's own account to an account endpoint and the
events of connected accounts (``account.updated`` of a partner's account) only to a
Connect endpoint: two endpoints at the same URL, each with its signing secret (both go
in PARTNERSYNC_STRIPE_WEBHOOK_SECRET, comma-separated). Registering is idempotent: an
endpoint at the URL is found (by the ``partnersync`` tag this command puts in its
metadata, else by its events) and its events brought up to date; only a missing one is
created, and only then does Stripe show its secret. HubSpot's private apps cannot be
subscribed through the API: the command says what to click.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from mappings.properties import PropertyMap
from sync.adapters.stripe.gateway import StripeGateway
from sync.webhooks.subscriptions import (
    STRIPE_ACCOUNT_EVENTS,
    STRIPE_CONNECT_EVENTS,
    watched,
)

TAG = "partnersync"  # metadata key naming the endpoint's kind: account or connect
ACCOUNT, CONNECT = "account", "connect"


@dataclass(frozen=True, slots=True)
class StripeEndpoint:
    kind: str  # account or connect
    url: str
    events: tuple[str, ...]

    @property
    def connect(self) -> bool:
        return self.kind == CONNECT


@dataclass(frozen=True, slots=True)
class Plan:
    stripe_url: str
    hubspot_url: str
    stripe: tuple[StripeEndpoint, StripeEndpoint]
    hubspot: tuple[tuple[str, str], ...]  # (what, events) lines for HubSpot's panel


def plan_for(base: str, props: PropertyMap) -> Plan:
    stripe_url, hubspot_url = f"{base}/webhooks/stripe", f"{base}/webhooks/hubspot"
    names = watched(props)
    return Plan(stripe_url, hubspot_url,
                (StripeEndpoint(ACCOUNT, stripe_url, STRIPE_ACCOUNT_EVENTS),
                 StripeEndpoint(CONNECT, stripe_url, STRIPE_CONNECT_EVENTS)),
                (("Companies", "Created; Property changed: " + ", ".join(names.company)),
                 ("Deals", "Created; Property changed: " + ", ".join(names.deal)),
                 (f"Payouts ({props.payout.object_name})",
                  "Property changed: " + ", ".join(names.payout))))


@dataclass(frozen=True, slots=True)
class Registered:
    """What ``register_stripe`` did for one endpoint; ``secret`` only when created."""

    kind: str
    endpoint_id: str
    action: str  # created, updated, unchanged
    secret: str | None = None

    def __repr__(self) -> str:
        return f"Registered({self.kind}, {self.endpoint_id}, {self.action})"  # no secret


def kind_of(endpoint: dict[str, object]) -> str:
    """An endpoint's kind: the tag this command gave it, else what its events say."""
    metadata = endpoint.get("metadata")
    tag = metadata.get(TAG) if isinstance(metadata, dict) else None
    if tag in (ACCOUNT, CONNECT):
        return str(tag)
    events = endpoint.get("enabled_events")
    return CONNECT if isinstance(events, list) and set(events) <= set(STRIPE_CONNECT_EVENTS) \
        else ACCOUNT


def register_stripe(stripe: StripeGateway, plan: Plan
                    ) -> tuple[list[Registered], list[str]]:
    """Each endpoint of the plan present, enabled and with exactly its events. Returns
    what was done, and the ids of other endpoints at the same URL (duplicates to
    delete in the Dashboard)."""
    at_url = [e for e in stripe.webhook_endpoints() if e.get("url") == plan.stripe_url]
    done: list[Registered] = []
    extra: list[str] = []
    key = uuid.uuid4().hex  # one run's creations; a retry inside it replays
    for wanted in plan.stripe:
        mine = [e for e in at_url if kind_of(e) == wanted.kind]
        extra += [str(e["id"]) for e in mine[1:]]
        if not mine:
            made = stripe.create_webhook_endpoint(
                wanted.url, wanted.events, connect=wanted.connect, metadata={TAG: wanted.kind},
                idempotency_key=f"partnersync-webhook-{wanted.kind}-{key}")
            done.append(Registered(wanted.kind, str(made["id"]), "created",
                                   str(made.get("secret") or "") or None))
            continue
        found = mine[0]
        current = set(found.get("enabled_events") or ())
        if current == set(wanted.events) and found.get("status") != "disabled":
            done.append(Registered(wanted.kind, str(found["id"]), "unchanged"))
        else:
            stripe.update_webhook_endpoint(str(found["id"]), wanted.events)
            done.append(Registered(wanted.kind, str(found["id"]), "updated"))
    return done, extra
