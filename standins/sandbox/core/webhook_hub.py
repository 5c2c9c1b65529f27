"""A stand-in's webhook settings, behind `/_sandbox/webhooks`, and its sender.

`POST /_sandbox/webhooks` replaces them: `{"url", "secret", "faults", "retry",
"concurrency", ...vendor keys}` (all optional; without `url` there is no control
target, which still sets faults and retries for the vendor's own endpoints). `GET`
reads them with the delivery log; `DELETE` stops the control target and resets faults
and retries. The secret is never echoed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from sandbox.core.delivery_faults import DeliveryFaultPlan
from sandbox.core.webhooks import JSON, RetryPolicy, WebhookSender, WebhookTarget, WebhookVendor

CONTROL_TARGET = "control"
COMMON_KEYS = frozenset({"url", "secret", "faults", "retry", "concurrency"})

# Validates and normalises the vendor's own keys (e.g. Stripe's `enabled_events`).
VendorOptions = Callable[[Mapping[str, Any]], JSON]


def check_target_url(url: object) -> str:
    """An absolute http(s) URL with a host; anything else is refused."""
    parts = urlsplit(str(url))
    if not isinstance(url, str) or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"url: expected an http:// or https:// URL, got {url!r}")
    return url


class WebhookHub:
    def __init__(self, vendor: WebhookVendor, *, name: str, default_secret: str,
                 option_keys: frozenset[str], options: VendorOptions) -> None:
        self.sender = WebhookSender(vendor, name=name)
        self.default_secret = default_secret
        self.option_keys = option_keys
        self._options = options
        self.target: WebhookTarget | None = None
        self.settings: JSON = options({})

    def configure(self, body: Mapping[str, Any]) -> JSON:
        """Replace the settings (POST); the answer is `describe()`."""
        unknown = set(body) - COMMON_KEYS - self.option_keys
        if unknown:
            raise ValueError(f"unknown webhook settings {sorted(unknown)}; expected "
                             f"{sorted(COMMON_KEYS | self.option_keys)}")
        url = check_target_url(body["url"]) if body.get("url") is not None else None
        secret = str(body.get("secret") or self.default_secret)
        faults = DeliveryFaultPlan.from_json(body.get("faults"))
        retry = RetryPolicy.from_json(body.get("retry"))
        concurrency = int(body.get("concurrency", 1))
        if not 1 <= concurrency <= 16:
            raise ValueError("concurrency: expected 1 to 16 sender threads")
        settings = self._options({k: v for k, v in body.items() if k in self.option_keys})
        new_target = WebhookTarget(CONTROL_TARGET, url, secret) if url else None
        if self.target is not None and self.target != new_target:
            self.sender.forget(CONTROL_TARGET)
        self.target, self.settings = new_target, settings
        self.sender.faults, self.sender.retry = faults, retry
        self.sender.concurrency = max(self.sender.concurrency, concurrency)
        return self.describe()

    def stop(self) -> JSON:
        """Stop delivering to the control target (DELETE); faults and retries reset."""
        return self.configure({})

    def describe(self, last: int | None = None) -> JSON:
        """The settings, what is still queued and the delivery log, or its `last`
        attempts (GET)."""
        attempts = self.sender.log.attempts()
        if last is not None:
            if last < 0:
                raise ValueError("deliveries: expected a number of attempts, 0 or more")
            attempts = attempts[-last:] if last else []
        return {
            "url": self.target.url if self.target else None,
            **self.settings,
            "faults": self.sender.faults.to_json(),
            "retry": self.sender.retry.to_json(),
            "concurrency": self.sender.concurrency,
            "pending": self.sender.pending(),
            "counts": self.sender.log.counts(),
            "deliveries": attempts,
        }

    def close(self) -> None:
        self.sender.close()
