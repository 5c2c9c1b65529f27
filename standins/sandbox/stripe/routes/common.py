"""What every Stripe route handler gets and the helpers they share."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.stripe.errors import StripeError
from sandbox.stripe.expand import expand
from sandbox.stripe.forms import Params
from sandbox.stripe.lists import PAGING_PARAMS, check_known, paginate
from sandbox.stripe.objects import JSON
from sandbox.stripe.state import StripeState

MAX_METADATA_KEYS = 50


@dataclass
class ApiCall:
    """One API request as a handler sees it: decoded params and the account state."""

    state: StripeState
    params: Params

    def serve(self, obj: JSON) -> JSON:
        """A copy of `obj` for the response, with the requested `expand[]` paths."""
        return expand(copy.deepcopy(obj), self.params, self.state.find)

    def page(self, items: Sequence[JSON], url: str, kind: str) -> JSON:
        return expand(paginate(items, self.params, url, kind), self.params, self.state.find)

    def only(self, *names: str) -> None:
        """Reject parameters other than `names` (and `expand`), as Stripe does."""
        check_known(self.params, {*names, "expand"})

    def only_list(self, *filters: str) -> None:
        check_known(self.params, PAGING_PARAMS | set(filters))

    def text(self, name: str) -> str | None:
        value = self.params.get(name)
        if value is not None and not isinstance(value, str):
            raise StripeError.invalid_request(f"Invalid string: {name}", param=name)
        return None if value == "" else value


Handler = Callable[..., JSON]


@dataclass(frozen=True)
class Route:
    """`GET /v1/customers/<id>` -> handler, named for the call log and counters."""

    method: str
    path: str
    endpoint: str
    handler: Handler


def merged_metadata(current: JSON | None, update: Any) -> JSON:
    """Stripe's metadata update: keys merge, a key set to "" is removed, "" clears all."""
    if update is None:
        return dict(current or {})
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise StripeError.invalid_request("Invalid hash", param="metadata")
    merged = dict(current or {})
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = _metadata_value(key, value)
    if len(merged) > MAX_METADATA_KEYS:
        raise StripeError.invalid_request(
            f"Metadata can have up to {MAX_METADATA_KEYS} keys.", param="metadata"
        )
    return merged


def _metadata_value(key: str, value: Any) -> str:
    if len(key) > 40:
        raise StripeError.invalid_request(
            f"Metadata keys can have up to 40 characters: {key}", param=f"metadata[{key}]"
        )
    text = str(value)
    if len(text) > 500:
        raise StripeError.invalid_request(
            "Metadata values can have up to 500 characters.", param=f"metadata[{key}]"
        )
    return text


def updated_fields(call: ApiCall, current: JSON, *names: str) -> JSON:
    """The plain fields an update sets (empty string unsets), plus merged metadata."""
    fields: JSON = {}
    for name in names:
        if name in call.params:
            value = call.params[name]
            fields[name] = None if value == "" else value
    if "metadata" in call.params:
        fields["metadata"] = merged_metadata(current.get("metadata"), call.params["metadata"])
    return fields


def positive_int(call: ApiCall, name: str, *, required: bool = True) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        if required:
            raise StripeError.invalid_request(
                f"Missing required param: {name}.", param=name, code="parameter_missing"
            )
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise StripeError.invalid_request(
            f"Invalid integer: {raw}", param=name, code="parameter_invalid_integer"
        ) from None
    if value < 0:
        raise StripeError.invalid_request(
            "This value must be greater than or equal to 0.", param=name
        )
    return value


def event_prefix(kind: str) -> str:
    """Events name subscriptions `customer.subscription.*`; the rest by their kind."""
    return "customer.subscription" if kind == "subscription" else kind
