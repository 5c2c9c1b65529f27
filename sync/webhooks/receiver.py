"""The webhook receivers: ``POST /webhooks/stripe`` and ``POST /webhooks/hubspot`` on
PARTNERSYNC_WEBHOOK_HOST/PORT (docs/configuration.md, Webhooks).

Each delivery is verified (``signatures``), read into the objects to re-read
(``events``) and stored in the ledger in a committed transaction, and only then answered
200: a worker killed after answering has the events already. Refused, with nothing
stored: a body over 1 MiB (413, by waitress before it is read, or here), a missing,
wrong or stale signature (401), a body that is not the vendor's event (400), the ledger
unreachable (503: the vendor delivers again later). An endpoint whose secret is not set
is not there (404). Every outcome is counted in ``partnersync_webhook_events_total``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request, Response

from mappings.properties import PropertyMap
from sync.config.settings import Settings, split_secrets
from sync.ledger import Ledger
from sync.ledger.webhooks import WebhookEvent
from sync.runtime.http import MAX_BODY
from sync.runtime.metrics import WEBHOOK_EVENTS
from sync.webhooks import events
from sync.webhooks.signatures import Refused, stripe_event, verify_hubspot
from sync.webhooks.subscriptions import Watched, watched

STRIPE, HUBSPOT = "stripe", "hubspot"
PATHS = {"/webhooks/stripe": STRIPE, "/webhooks/hubspot": HUBSPOT}
OUTCOMES = ("accepted", "duplicate", "ignored", "bad_signature", "stale", "malformed",
            "too_large", "unavailable")

log = structlog.get_logger("partnersync.webhooks")


@dataclass(frozen=True)
class Receivers:
    """What the receivers need of the settings: the secrets (a receiver without one is
    off), the public base URL HubSpot signs, the Stripe key's mode, what is watched."""

    stripe_secrets: tuple[str, ...]
    hubspot_secret: str | None
    public_url: str | None
    stripe_live: bool | None
    watched: Watched
    trusted_proxies: int = 0

    def on(self, vendor: str) -> bool:
        return bool(self.stripe_secrets) if vendor == STRIPE else self.hubspot_secret is not None

    @classmethod
    def from_settings(cls, settings: Settings, props: PropertyMap) -> Receivers:
        stripe = settings.stripe_webhook_secret
        hubspot = settings.hubspot_client_secret
        key = settings.stripe_api_key.get_secret_value() if settings.stripe_api_key else ""
        live = True if "_live_" in key else False if "_test_" in key else None
        return cls(tuple(split_secrets(stripe)) if stripe is not None else (),
                   hubspot.get_secret_value() if hubspot is not None else None,
                   settings.webhook_public_url, live, watched(props),
                   settings.portal_trusted_proxies)


def start_series(receivers: Receivers) -> None:
    """Every vendor and outcome at 0 from the start (``jobs.summary.start_series``)."""
    for vendor in (STRIPE, HUBSPOT):
        if receivers.on(vendor):
            for outcome in OUTCOMES:
                WEBHOOK_EVENTS.labels(vendor=vendor, outcome=outcome)


def refused_by_server(path: str, status: int) -> None:
    """waitress refused a delivery itself (``sync.runtime.http.listen``'s hook)."""
    vendor = PATHS.get(path.split("?", 1)[0])
    if vendor is not None:
        outcome = "too_large" if status == 413 else "malformed"
        WEBHOOK_EVENTS.labels(vendor=vendor, outcome=outcome).inc()
        log.warning("webhook.refused", vendor=vendor, outcome=outcome, status=status)


class WebhookApp:
    """The WSGI application; ``stored`` is told when a delivery stored a new event."""

    def __init__(self, receivers: Receivers, ledger: Callable[[], Ledger],
                 stored: Callable[[], None], clock: Callable[[], float] = time.time) -> None:
        self.receivers, self.ledger, self.stored, self.clock = receivers, ledger, stored, clock

    def wsgi(self) -> Any:
        """The application, behind the portal's trusted proxies (scheme and host)."""
        hops = self.receivers.trusted_proxies
        return ProxyFix(self, x_proto=hops, x_host=hops) if hops else self

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        vendor = PATHS.get(request.path)
        if vendor is None or not self.receivers.on(vendor):
            response = Response("not found\n", status=404)
        elif request.method != "POST":
            response = Response("POST only\n", status=405, headers={"Allow": "POST"})
        else:
            response = self.receive(vendor, request)
        return response(environ, start_response)

    def receive(self, vendor: str, request: Request) -> Response:
        try:
            if (request.content_length or 0) > MAX_BODY:
                raise Refused("too_large", 413, "body over 1 MiB")
            body = request.get_data(cache=False)
            found = self.stripe(body, request) if vendor == STRIPE else self.hubspot(body, request)
        except Refused as refusal:
            WEBHOOK_EVENTS.labels(vendor=vendor, outcome=refusal.outcome).inc()
            log.warning("webhook.refused", vendor=vendor, outcome=refusal.outcome,
                        reason=refusal.reason)
            return Response(f"{refusal.reason}\n", status=refusal.status)
        return self.store(vendor, found)

    def stripe(self, body: bytes, request: Request) -> list[WebhookEvent | None]:
        event = stripe_event(body, request.headers.get("Stripe-Signature"),
                             self.receivers.stripe_secrets)
        return [events.from_stripe(event, self.receivers.stripe_live)]

    def hubspot(self, body: bytes, request: Request) -> list[WebhookEvent | None]:
        assert self.receivers.hubspot_secret is not None
        verify_hubspot(self.receivers.hubspot_secret, request.method, self.uri(request), body,
                       request.headers.get("X-HubSpot-Signature-v3"),
                       request.headers.get("X-HubSpot-Request-Timestamp"),
                       int(self.clock() * 1000))
        return events.hubspot_events(body, self.receivers.watched)

    def uri(self, request: Request) -> str:
        """The URL HubSpot called: the public base (else the scheme and host the request
        came with) and the path and query as sent."""
        raw = str(request.environ.get("REQUEST_URI") or request.full_path.rstrip("?"))
        base = self.receivers.public_url or f"{request.scheme}://{request.host}"
        return base + raw

    def store(self, vendor: str, found: list[WebhookEvent | None]) -> Response:
        kept = [event for event in found if event is not None]
        try:
            new = self.ledger().store_webhook_events(kept) if kept else []
        except Exception as error:  # the vendor delivers again; nothing was stored
            WEBHOOK_EVENTS.labels(vendor=vendor, outcome="unavailable").inc()
            log.error("webhook.unavailable", vendor=vendor, error=type(error).__name__)
            return Response("the ledger is unavailable; deliver again later\n", status=503)
        _count(vendor, new, ignored=len(found) - len(kept))
        if any(new):
            self.stored()
        return Response("ok\n", status=200)


def _count(vendor: str, new: Iterable[bool], *, ignored: int) -> None:
    fresh = list(new)
    for outcome, count in (("accepted", sum(fresh)), ("duplicate", len(fresh) - sum(fresh)),
                           ("ignored", ignored)):
        if count:
            WEBHOOK_EVENTS.labels(vendor=vendor, outcome=outcome).inc(count)
    log.debug("webhook.received", vendor=vendor, accepted=sum(fresh),
              duplicate=len(fresh) - sum(fresh), ignored=ignored)
