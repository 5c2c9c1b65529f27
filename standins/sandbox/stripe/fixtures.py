"""Seed the account from a fixture set (docs/sandbox.md): `<dir>/stripe/<resource>.json`.

Each file is a JSON array of objects in the pinned API shape; any file may be absent.
Objects are stored as given and served back verbatim; an invoice's embedded `lines`
holds all its lines, of which the API embeds only the first page. An object carrying a
key the pinned version removed (an invoice's top-level `subscription`) is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

from sandbox.stripe.objects import JSON, check_pinned_keys
from sandbox.stripe.routes.common import event_prefix
from sandbox.stripe.state import StripeState

FILES = {
    "customers": "customer",
    "products": "product",
    "prices": "price",
    "coupons": "coupon",
    "subscriptions": "subscription",
    "invoices": "invoice",
    "accounts": "account",
    "transfers": "transfer",
}


def stripe_dir(path: Path) -> Path:
    """The set's `stripe/` folder, or `path` itself when it already is one."""
    nested = path / "stripe"
    return nested if nested.is_dir() else path


def load_fixtures(state: StripeState, path: Path, *, emit_events: bool = False) -> dict[str, int]:
    """Add every object in the set; with `emit_events`, record each `*.created` event."""
    folder = stripe_dir(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"no Stripe fixture directory at {path}")
    counts: dict[str, int] = {}
    for name, kind in FILES.items():
        file = folder / f"{name}.json"
        if file.exists():
            objects = _read(file, kind)
            for obj in objects:
                add_object(state, kind, obj, emit_event=emit_events)
            counts[name] = len(objects)
    return counts


def _read(file: Path, kind: str) -> list[JSON]:
    data = json.loads(file.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{file}: expected a JSON array of {kind} objects")
    for obj in data:
        if not isinstance(obj, dict) or obj.get("object") != kind or not obj.get("id"):
            raise ValueError(f"{file}: every entry must be a {kind} object with an id")
    return data


def add_object(state: StripeState, kind: str, obj: JSON, *, emit_event: bool) -> None:
    check_pinned_keys(kind, obj, f"{kind} {obj.get('id')}")
    with state.lock:
        if kind == "invoice":
            lines = (obj.get("lines") or {}).get("data") or []
            state.add(kind, obj)
            state.set_lines(obj["id"], list(lines))
        else:
            state.add(kind, obj)
        if emit_event:
            state.events.record(f"{event_prefix(kind)}.created", state.rendered(kind, obj))
