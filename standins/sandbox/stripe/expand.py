"""`expand[]=customer`, `expand[]=data.latest_invoice.customer`: ids replaced by objects."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import Params, as_list
from sandbox.stripe.objects import JSON

Resolver = Callable[[str], JSON | None]

MAX_DEPTH = 4  # Stripe refuses expansions more than four levels deep.


def expand(obj: JSON, params: Params, resolve: Resolver) -> JSON:
    """A copy of `obj` with every path in `params["expand"]` expanded."""
    paths = [str(p) for p in as_list(params.get("expand"))]
    if not paths:
        return obj
    result = copy.deepcopy(obj)
    for path in paths:
        segments = path.split(".")
        if len(segments) > MAX_DEPTH:
            raise StripeError.invalid_request(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. "
                f"Property: {path}",
                param="expand",
            )
        _walk(result, segments, path, resolve)
    return result


def _walk(node: Any, segments: list[str], path: str, resolve: Resolver) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, segments, path, resolve)
        return
    if not isinstance(node, dict):
        return
    key, rest = segments[0], segments[1:]
    if key not in node:
        raise _cannot_expand(path)
    value = node[key]
    if isinstance(value, str):
        value = _resolved(value, path, resolve)
        node[key] = value
    elif value is not None and not rest and not _is_object(value):
        raise _cannot_expand(path)
    if rest:
        _walk(value, rest, path, resolve)


def _resolved(object_id: str, path: str, resolve: Resolver) -> JSON:
    found = resolve(object_id)
    if found is None:
        raise _cannot_expand(path)
    return copy.deepcopy(found)


def _is_object(value: Any) -> bool:
    return isinstance(value, dict) and "object" in value


def _cannot_expand(path: str) -> StripeError:
    return StripeError.invalid_request(
        f"This property cannot be expanded ({path}).", param="expand"
    )
