"""Stripe list endpoints: cursor pagination and the `created` range filter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import Params, as_int
from sandbox.stripe.objects import JSON, list_object

PAGING_PARAMS = frozenset({"limit", "starting_after", "ending_before", "expand"})


def paginate(items: Sequence[JSON], params: Params, url: str, kind: str) -> JSON:
    """One page of `items` (already in display order) as a Stripe list object.

    `starting_after` pages forward from a cursor, `ending_before` backward: the page is
    the `limit` items just before the cursor, still in display order.
    """
    limit = _limit(params)
    after, before = params.get("starting_after"), params.get("ending_before")
    if after and before:
        raise StripeError.invalid_request(
            "You may only specify one of these parameters: ending_before, starting_after.",
            param="ending_before",
        )
    if before:
        end = _index_of(items, before, "ending_before", kind)
        start = max(0, end - limit)
        return list_object(url, list(items[start:end]), has_more=start > 0)
    start = _index_of(items, after, "starting_after", kind) + 1 if after else 0
    page = list(items[start : start + limit])
    return list_object(url, page, has_more=start + limit < len(items))


def _limit(params: Params) -> int:
    limit = as_int(params, "limit", 10)
    assert limit is not None
    if not 1 <= limit <= 100:
        raise StripeError.invalid_request(
            "This value must be greater than or equal to 1 and less than or equal to 100.",
            param="limit",
        )
    return limit


def _index_of(items: Sequence[JSON], object_id: str, param: str, kind: str) -> int:
    for index, item in enumerate(items):
        if item.get("id") == object_id:
            return index
    raise StripeError.resource_missing(kind, object_id, param=param)


def created_filter(params: Params, field: str = "created") -> Callable[[JSON], bool]:
    """`created=T` or `created[gt|gte|lt|lte]=T` as a predicate on objects."""
    raw = params.get(field)
    if raw is None:
        return lambda _obj: True
    bounds = raw if isinstance(raw, dict) else {"eq": raw}
    checks = [_bound_check(op, _timestamp(value, field), field) for op, value in bounds.items()]
    return lambda obj: all(check(obj.get(field)) for check in checks)


def _timestamp(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeError.invalid_request(
            f"Invalid timestamp: {value}", param=field, code="parameter_invalid_integer"
        ) from None


_OPS: dict[str, Callable[[int, int], bool]] = {
    "eq": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _bound_check(op: str, bound: int, field: str) -> Callable[[Any], bool]:
    compare = _OPS.get(op)
    if compare is None:
        raise StripeError.unknown_parameter(f"{field}[{op}]")
    return lambda value: isinstance(value, int) and compare(value, bound)


def field_filter(params: Params, *fields: str) -> Callable[[JSON], bool]:
    """Objects whose `field` equals the parameter of the same name, for each one given."""
    wanted = {f: params[f] for f in fields if params.get(f) not in (None, "")}
    return lambda obj: all(_id_of(obj.get(f)) == v for f, v in wanted.items())


def _id_of(value: Any) -> Any:
    # Fixture objects may hold an expanded object where an id usually is.
    return value.get("id") if isinstance(value, dict) else value


def check_known(params: Params, allowed: frozenset[str] | set[str]) -> None:
    """Stripe rejects parameters an endpoint doesn't take (`parameter_unknown`)."""
    for name in params:
        if name not in allowed:
            raise StripeError.unknown_parameter(name)
