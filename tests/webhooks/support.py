"""Deliveries as the vendors send them, signed by their documented schemes (computed here,
not by the code under test), and ``partnersync serve`` running on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jobs.schedule import serve
from sync.config.settings import Settings
from sync.wiring import Services

STRIPE_SECRET = "whsec_test_receiver_secret"
HUBSPOT_SECRET = "hubspot-client-secret-for-tests"
NEVER_SOON = "0 0 1 1 *"  # New Year's midnight: no scheduled job fires during a test


def stripe_body(event_id: str = "evt_1", event_type: str = "invoice.paid",
                obj: dict[str, Any] | None = None, created: int | None = None,
                livemode: bool = False) -> bytes:
    """An Event as Stripe delivers it (the shape of GET /v1/events)."""
    data = obj if obj is not None else {"id": "in_1", "object": "invoice", "status": "paid",
                                        "amount_paid": 99999}
    event = {"id": event_id, "object": "event", "api_version": "2025-09-30.clover",
             "created": created or int(time.time()), "type": event_type,
             "data": {"object": data}, "livemode": livemode, "pending_webhooks": 1,
             "request": {"id": None, "idempotency_key": None}}
    return json.dumps(event).encode()


def stripe_signature(body: bytes, secret: str = STRIPE_SECRET, at: int | None = None) -> str:
    """Stripe-Signature: t=<epoch s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>."""
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def hubspot_item(event_id: int, subscription: str = "deal.propertyChange",
                 object_id: int = 40000000004, **extra: Any) -> dict[str, Any]:
    """One event of a HubSpot webhooks v3 delivery."""
    item = {"eventId": event_id, "subscriptionId": 7, "portalId": 12345678, "appId": 42,
            "occurredAt": int(time.time() * 1000), "subscriptionType": subscription,
            "attemptNumber": 0, "objectId": object_id, "changeSource": "CRM_UI"}
    if subscription.endswith("propertyChange"):
        item |= {"propertyName": "dealname", "propertyValue": "Renamed"}
    return item | extra


def hubspot_headers(uri: str, body: bytes, secret: str = HUBSPOT_SECRET,
                    at_ms: int | None = None) -> dict[str, str]:
    """X-HubSpot-Signature-v3: base64(HMAC-SHA256(secret, "POST" + uri + body + ts))."""
    timestamp = str(int(time.time() * 1000) if at_ms is None else at_ms)
    signed = b"POST" + uri.encode() + body + timestamp.encode()
    signature = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest())
    return {"X-HubSpot-Signature-v3": signature.decode(),
            "X-HubSpot-Request-Timestamp": timestamp, "X-HubSpot-Signature-Version": "v3"}


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        text: str = answer.read().decode()
        return text


def metric(metrics: str, name: str) -> float:
    """A sample's value in /metrics' text (0 when absent)."""
    for line in metrics.splitlines():
        if line.rsplit(" ", 1)[0] == name:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@dataclass
class Served:
    services: Services
    health: str  # the health server's URL
    webhooks: str | None  # the receivers' URL, None when off

    def metrics(self) -> str:
        return get(f"{self.health}/metrics")

    def count(self, vendor: str, outcome: str) -> float:
        return metric(self.metrics(), f'partnersync_webhook_events_total{{outcome="{outcome}",'
                                      f'vendor="{vendor}"}}')


def worker_settings(database_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "hubspot_access_token": "pat-test", "stripe_api_key": "sk_test_x",
        "hubspot_base_url": "http://127.0.0.1:9", "stripe_api_base": "http://127.0.0.1:9",
        "database_url": database_url, "serve_port": 0, "webhook_port": 0,
        "schedule_sync": NEVER_SOON, "schedule_month_close": NEVER_SOON,
        "schedule_pay": NEVER_SOON, "stripe_webhook_secret": STRIPE_SECRET,
        "hubspot_client_secret": HUBSPOT_SECRET, "webhook_debounce_seconds": 3600, **extra}
    return Settings(**values)


@contextmanager
def served(services: Services) -> Iterator[Served]:
    """``serve`` in a thread until the block ends."""
    stop, urls = threading.Event(), {}
    ready = threading.Event()

    def health(url: str) -> None:
        urls["health"] = url
        ready.set()

    worker = threading.Thread(target=serve, args=(services, stop, health), kwargs={
        "webhooks_ready": lambda url: urls.__setitem__("webhooks", url)})
    worker.start()
    try:
        assert ready.wait(20), "serve did not start"
        yield Served(services, urls["health"], urls.get("webhooks"))
    finally:
        stop.set()
        worker.join(30)
        assert not worker.is_alive()
