"""Reading Stripe objects of the pinned API version: ids, integers, expandable fields.

stripe-python's ``StripeObject`` is a ``dict``, so everything here reads ``Mapping``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from mappings.values import BadValueError

StripeObject = Mapping[str, Any]


def is_object(value: object) -> TypeGuard[StripeObject]:
    """``Mapping``, with ``dict`` (and ``StripeObject``) checked first: the ABC check is
    the slowest step of mapping millions of lines."""
    return isinstance(value, dict) or isinstance(value, Mapping)  # noqa: SIM101


def read_object(obj: object) -> tuple[str, StripeObject]:
    """The object's id and the object; :class:`BadValueError` when it has no id."""
    if not is_object(obj):
        raise BadValueError("expected a Stripe object (a JSON object)", obj, "id")
    object_id = obj.get("id")
    if not isinstance(object_id, str) or not object_id:
        raise BadValueError("missing object id", _described(obj) or object_id, "id")
    return object_id, obj


def _described(obj: StripeObject) -> str:
    """Something a person can search the dashboard for, when the id is missing."""
    kind = obj.get("object")
    for key in ("number", "email", "customer", "nickname", "description"):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return f"{kind or 'object'} with {key} {value.strip()}"
    return ""


def is_deleted(obj: StripeObject) -> bool:
    """``{"id", "object", "deleted": true}``: the object no longer exists."""
    return obj.get("deleted") is True


def expandable_id(value: object) -> str | None:
    """An expandable field: the id, or the expanded object's id."""
    if isinstance(value, str):
        return value or None
    if is_object(value):
        inner = value.get("id")
        return inner if isinstance(inner, str) and inner else None
    return None


def required_id(obj: StripeObject, field: str) -> str:
    found = expandable_id(obj.get(field))
    if found is None:
        raise BadValueError("expected an id (or an expanded object with one)",
                            obj.get(field), field)
    return found


AMOUNT = ("an integer amount in minor units (cents)", "an amount")
COUNT = ("a whole number of intervals (an integer)", "a whole number of intervals")


def integer(value: object, field: str, *, minimum: int | None = None,
            what: tuple[str, str] = AMOUNT) -> int:
    """An amount in minor units (cents), or ``what`` else: an integer, never a float or a
    string. ``what`` names it in full and in short (``expected <short> >= minimum``)."""
    if type(value) is not int:
        raise BadValueError(f"expected {what[0]}", value, field)
    if minimum is not None and value < minimum:
        raise BadValueError(f"expected {what[1]} >= {minimum}", value, field)
    return value


def flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise BadValueError("expected true or false", value, field)
    return value


def mapping(value: object, field: str) -> StripeObject:
    if not is_object(value):
        raise BadValueError("expected an object", value, field)
    return value
