"""Restricted keys (`rk_...`): which resources a key may read or write.

A restricted key is given a level per resource, `none`, `read` or `write` (write
includes read); a resource it is not given is `none`, as in Stripe's key editor. A
request beyond the key's level gets Stripe's answer: HTTP 403, type
`invalid_request_error`, no code, and a message naming the permission that would allow
it, for example:

    The provided key 'rk_test_***...3Kgd9x' does not have the required permissions for
    this endpoint on account 'acct_1SandboxPlatform00'. Having the 'rak_transfer_read'
    permission would allow this request to continue.

(stripe-python raises `PermissionError` for it.) Keys not registered here keep every
permission. The resource of a request is its endpoint's first part (`transfers.list`:
`transfers`); GET and HEAD read, anything else writes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from sandbox.stripe.errors import StripeError

PLATFORM_ACCOUNT = "acct_1SandboxPlatform00"
LEVELS = ("none", "read", "write")
# Resource -> the noun of its `rak_<noun>_<read|write>` permission.
RESOURCES = {
    "customers": "customer", "products": "product", "prices": "price", "coupons": "coupon",
    "subscriptions": "subscription", "invoices": "invoice", "accounts": "account",
    "transfers": "transfer", "balance": "balance", "events": "event",
}
READ_METHODS = frozenset({"GET", "HEAD"})


class KeyPermissions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, dict[str, str]] = {}

    def restrict(self, key: str, levels: Mapping[str, str]) -> dict[str, str]:
        """Register ``key`` with ``levels`` per resource (the others: none)."""
        if not key.startswith("rk_"):
            raise ValueError(f"a restricted key starts with rk_, not {key[:3]!r}")
        unknown = sorted(set(levels) - set(RESOURCES))
        if unknown:
            raise ValueError(f"unknown resources {unknown}; one of {sorted(RESOURCES)}")
        bad = sorted(level for level in levels.values() if level not in LEVELS)
        if bad:
            raise ValueError(f"unknown levels {bad}; one of {list(LEVELS)}")
        granted = {resource: levels.get(resource, "none") for resource in RESOURCES}
        with self._lock:
            self._keys[key] = granted
        return dict(granted)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._keys

    def check(self, key: str, method: str, endpoint: str) -> None:
        """Raise Stripe's 403 when ``key`` may not call ``endpoint`` with ``method``."""
        with self._lock:
            granted = self._keys.get(key)
        resource = endpoint.split(".", 1)[0]
        if granted is None or resource not in RESOURCES:
            return
        needed = "read" if method.upper() in READ_METHODS else "write"
        if LEVELS.index(granted[resource]) >= LEVELS.index(needed):
            return
        raise StripeError(
            403, f"The provided key '{masked(key)}' does not have the required permissions "
            f"for this endpoint on account '{PLATFORM_ACCOUNT}'. Having the "
            f"'rak_{RESOURCES[resource]}_{needed}' permission would allow this request to "
            "continue.")


def masked(key: str) -> str:
    """As Stripe quotes a key: its prefix, stars, its last six characters."""
    return key[:8] + "*" * max(len(key) - 14, 0) + key[-6:]
