"""New Stripe objects, always built from Stripe's own published example of the resource.

Each new object is a deep copy of the reference object (so it has exactly the keys of the
pinned API version) with the example's sample values reset to what a fresh object holds.
The examples (``reference_objects.json``, copied from Stripe's ``fixtures3.json``) still
carry one key the pinned version does not have; ``NOT_IN_PINNED_VERSION`` drops it.
"""

from __future__ import annotations

import copy
import json
import secrets
import string
from functools import cache
from importlib import resources
from typing import Any

JSON = dict[str, Any]

# The API version of the stripe-python SDK the worker pins; every answer names it.
PINNED_VERSION = "2026-10-28.endive"

_ALPHABET = string.ascii_letters + string.digits

# Stripe's id prefixes and the length of the random part it uses for each.
ID_PREFIXES: dict[str, tuple[str, int]] = {
    "customer": ("cus_", 14),
    "product": ("prod_", 14),
    "price": ("price_", 24),
    "coupon": ("", 8),
    "subscription": ("sub_", 24),
    "subscription_item": ("si_", 14),
    "invoice": ("in_", 24),
    "line_item": ("il_", 24),
    "account": ("acct_", 16),
    "transfer": ("tr_", 24),
    "event": ("evt_", 24),
    "balance_transaction": ("txn_", 24),
    "payment": ("py_", 14),
    "request": ("req_", 14),
    "webhook_endpoint": ("we_", 24),
}

# Which collection an id belongs to, by prefix (used by `expand`).
KIND_BY_PREFIX: dict[str, str] = {
    prefix: kind for kind, (prefix, _) in ID_PREFIXES.items() if prefix
}


def new_id(kind: str) -> str:
    prefix, length = ID_PREFIXES[kind]
    if kind == "coupon":
        return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(8))
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def kind_of_id(object_id: str) -> str | None:
    prefix = object_id.split("_", 1)[0] + "_"
    return KIND_BY_PREFIX.get(prefix)


# Keys of Stripe's published examples that the pinned version (2026-10-28.endive) does
# not have. The invoice's `subscription` went in 2025-03-31.basil (stripe-python 12.0.0
# removed it from `Invoice`): the invoice names it in `parent.subscription_details`.
NOT_IN_PINNED_VERSION: dict[str, dict[str, str]] = {
    "invoice": {"subscription": "parent.subscription_details.subscription"},
}


@cache
def _reference() -> dict[str, JSON]:
    text = resources.files("sandbox.stripe").joinpath("reference_objects.json").read_text()
    data: dict[str, JSON] = json.loads(text)
    return {kind: without_removed_keys(kind, example) for kind, example in data.items()}


def without_removed_keys(kind: str, example: JSON) -> JSON:
    """`example` without the keys `NOT_IN_PINNED_VERSION` lists for `kind`."""
    removed = NOT_IN_PINNED_VERSION.get(kind, {})
    return {key: value for key, value in example.items() if key not in removed}


def check_pinned_keys(kind: str, obj: JSON, what: str) -> None:
    """Refuse an object (or fields) carrying a key the pinned version removed."""
    for key, moved_to in NOT_IN_PINNED_VERSION.get(kind, {}).items():
        if key in obj:
            raise ValueError(
                f"{what} has a top-level `{key}`, which {kind} objects of the pinned API "
                f"version do not have (removed in 2025-03-31.basil); it is {moved_to}"
            )


def reference(kind: str) -> JSON:
    """A deep copy of Stripe's published example object for `kind`."""
    return copy.deepcopy(_reference()[kind])


def reference_keys(kind: str) -> set[str]:
    return set(_reference()[kind])


def blank(kind: str, created: int, **fields: Any) -> JSON:
    """A fresh object of `kind`: reference keys, fresh-object values, then `fields`."""
    obj = reference(kind)
    obj.update(_FRESH.get(kind, {}))
    obj.update(id=new_id(kind), created=created, livemode=False, metadata={})
    obj.update(fields)
    return _prune_unknown(kind, obj)


def _prune_unknown(kind: str, obj: JSON) -> JSON:
    # Never serve a key the pinned version doesn't have (e.g. `metadata` on an event).
    keys = reference_keys(kind)
    return {k: v for k, v in obj.items() if k in keys}


def list_object(url: str, data: list[JSON] | None = None, has_more: bool = False) -> JSON:
    return {"object": "list", "data": data or [], "has_more": has_more, "url": url}


# The sample values in Stripe's examples that a freshly created object doesn't have.
_FRESH: dict[str, JSON] = {
    "customer": {
        "address": None,
        "currency": None,
        "discount": None,
        "shipping": None,
        "preferred_locales": [],
    },
    "product": {
        "default_price": None,
        "description": None,
        "package_dimensions": None,
        "type": "service",
    },
    "price": {"custom_unit_amount": None, "transform_quantity": None, "lookup_key": None},
    "coupon": {
        "amount_off": None,
        "currency": None,
        "duration": "once",
        "duration_in_months": None,
        "percent_off": None,
        "redeem_by": None,
        "name": None,
    },
    "subscription": {
        "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
        "billing_cycle_anchor_config": None,
        "billing_schedules": [],
        "cancel_at": None,
        "canceled_at": None,
        "cancel_at_period_end": False,
        "ended_at": None,
        "next_pending_invoice_item_invoice": None,
        "pause_collection": None,
        "pending_invoice_item_interval": None,
        "pending_update": None,
        "transfer_data": None,
        "trial_end": None,
        "trial_start": None,
        "billing_thresholds": None,
        "managed_payments": None,
    },
    "subscription_item": {"billing_thresholds": None},
    "transfer": {"source_type": "card", "amount_reversed": 0, "reversed": False},
    "event": {"api_version": PINNED_VERSION, "pending_webhooks": 0},
}

__all__ = [
    "JSON", "NOT_IN_PINNED_VERSION", "PINNED_VERSION", "blank", "check_pinned_keys", "kind_of_id",
    "list_object", "new_id", "reference", "without_removed_keys",
]
