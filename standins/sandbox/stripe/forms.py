"""Decode Stripe's bracketed form/query encoding into nested dicts and lists.

stripe-python sends `metadata[key]=v`, `expand[0]=customer`, `created[gte]=1700000000`;
other clients send `expand[]=customer`. Both decode to the same structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sandbox.stripe.errors import StripeError

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")

Params = dict[str, Any]


def decode_params(pairs: Iterable[tuple[str, str]]) -> Params:
    """Nest `a[b][c]=v` pairs; `[]` appends and all-digit keys become list indexes."""
    root: Params = {}
    for raw_key, value in pairs:
        path = _split_key(raw_key)
        _assign(root, path, value)
    return {key: _listify(value) for key, value in root.items()}


def _split_key(raw_key: str) -> list[str]:
    match = _KEY.match(raw_key)
    if match is None:
        raise StripeError.invalid_request(f"Invalid parameter name: {raw_key}", param=raw_key)
    return [match.group(1), *_PART.findall(match.group(2))]


def _assign(node: Params, path: list[str], value: str) -> None:
    for depth, part in enumerate(path[:-1]):
        child = node.get(part)
        if not isinstance(child, dict):
            if child is not None:
                raise StripeError.invalid_request(
                    f"Invalid nesting for parameter {'.'.join(path[: depth + 1])}",
                    param=path[0],
                )
            child = {}
            node[part] = child
        node = child
    last = path[-1]
    if last == "":
        # `x[]=v` appends: give it the next free numeric index.
        last = str(sum(1 for k in node if k.isdigit()))
    node[last] = value


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def as_list(value: Any) -> list[Any]:
    """A parameter that may arrive as one value or as a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def as_int(params: Params, name: str, default: int | None = None) -> int | None:
    """An integer parameter, with Stripe's `parameter_invalid_integer` on junk."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise StripeError.invalid_request(
            f"Invalid integer: {raw}", param=name, code="parameter_invalid_integer"
        ) from None


def as_bool(params: Params, name: str, default: bool | None = None) -> bool | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if raw in ("true", "false"):
        return bool(raw == "true")
    raise StripeError.invalid_request(f"Invalid boolean: {raw}", param=name)


def require(params: Params, name: str) -> Any:
    """A required parameter, or Stripe's `parameter_missing` error."""
    value = params.get(name)
    if value is None or value == "":
        raise StripeError.invalid_request(
            f"Missing required param: {name}.", param=name, code="parameter_missing"
        )
    return value
