"""The Stripe gateway's webhook endpoint methods (``partnersync webhooks setup
--register``), mixed into ``StripeGateway``: its one retry policy, pacer and errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

from sync.adapters.stripe.http import plain

JSON = dict[str, Any]
T = TypeVar("T")


class WebhookEndpointMethods:
    """Mixed into ``StripeGateway``, which provides the calls."""

    _v1: Any

    def _call(self, operation: str, request: Callable[[], T]) -> T:
        raise NotImplementedError

    def _list(self, operation: str, path: str, params: JSON,
              starting_after: str | None = None) -> Iterator[JSON]:
        raise NotImplementedError

    def webhook_endpoints(self) -> list[JSON]:
        """The account's webhook endpoints (``partnersync webhooks setup --register``)."""
        return list(self._list("webhook_endpoints.list", "/v1/webhook_endpoints", {}))

    def create_webhook_endpoint(self, url: str, events: Sequence[str], *, connect: bool,
                                metadata: dict[str, str], idempotency_key: str) -> JSON:
        """A new endpoint; Stripe's answer carries its signing secret, this once."""
        params: Any = {"url": url, "enabled_events": list(events), "connect": connect,
                       "metadata": dict(metadata)}  # the SDK types each event name
        create = partial(self._v1.webhook_endpoints.create, params=params,
                         options={"idempotency_key": idempotency_key})
        return plain(self._call("webhook_endpoints.create", create))

    def update_webhook_endpoint(self, endpoint_id: str, events: Sequence[str]) -> JSON:
        """The endpoint's events set, and the endpoint enabled."""
        params: Any = {"enabled_events": list(events), "disabled": False}
        update = partial(self._v1.webhook_endpoints.update, endpoint_id, params=params)
        return plain(self._call("webhook_endpoints.update", update))
