"""The account's webhook endpoints (`/v1/webhook_endpoints`) and their signing secrets.

The secret is kept apart from the object: Stripe returns it only in the answer that
creates the endpoint.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
from collections.abc import Callable

from sandbox.stripe.errors import StripeError
from sandbox.stripe.objects import JSON

SECRET_ALPHABET = string.ascii_letters + string.digits


def new_secret() -> str:
    """A signing secret in Stripe's form: `whsec_` and 32 letters and digits."""
    return "whsec_" + "".join(secrets.choice(SECRET_ALPHABET) for _ in range(32))


def enabled_for(enabled_events: list[str], event_type: str) -> bool:
    """Whether an endpoint listening to `enabled_events` receives `event_type`."""
    return "*" in enabled_events or event_type in enabled_events


class WebhookEndpoints:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: dict[str, JSON] = {}
        self._secrets: dict[str, str] = {}
        self.on_delete: Callable[[str], None] = lambda _id: None

    def add(self, endpoint: JSON, secret: str) -> None:
        with self._lock:
            self._endpoints[endpoint["id"]] = endpoint
            self._secrets[endpoint["id"]] = secret

    def get(self, endpoint_id: str) -> JSON:
        with self._lock:
            found = self._endpoints.get(endpoint_id)
        if found is None:
            raise StripeError.resource_missing("webhook_endpoint", endpoint_id)
        return copy.deepcopy(found)

    def replace(self, endpoint: JSON) -> None:
        with self._lock:
            self._endpoints[endpoint["id"]] = endpoint

    def delete(self, endpoint_id: str) -> None:
        self.get(endpoint_id)
        with self._lock:
            del self._endpoints[endpoint_id]
            del self._secrets[endpoint_id]
        self.on_delete(endpoint_id)

    def newest_first(self) -> list[JSON]:
        with self._lock:
            endpoints = list(self._endpoints.values())
        return copy.deepcopy(endpoints[::-1])

    def listening(self, event_type: str) -> list[tuple[JSON, str]]:
        """Enabled endpoints that receive `event_type`, with their secrets, oldest first."""
        with self._lock:
            return [(copy.deepcopy(e), self._secrets[e["id"]])
                    for e in self._endpoints.values()
                    if e["status"] == "enabled" and enabled_for(e["enabled_events"], event_type)]
