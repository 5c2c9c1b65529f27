"""Mirrored records found by a value inside their JSON, so a request reads the few
records it needs instead of the whole mirror (deal registration's check, R7 and R9).

No index serves these lookups (the mirror has none on its JSON, and none is added
here): each is one filtered pass over a type's rows inside the database, which returns
only the matching bodies, instead of every body decoded and mapped in Python. Every
filter is a superset (``LIKE`` on lower-cased text); callers compare exactly after.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, func, or_, select

from sync.ledger.models import MirrorRow
from sync.ledger.store import Ledger

JSON = dict[str, Any]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_at(path: Sequence[str]) -> ColumnElement[str]:
    text: ColumnElement[str] = MirrorRow.body[tuple(path)].as_string()
    return text


def _holding(values: Collection[str]) -> ColumnElement[bool]:
    text = cast(MirrorRow.body, Text)
    return or_(*(text.like(f'%"{_escaped(value)}"%', escape="\\") for value in values))


def _bodies(ledger: Ledger, object_types: Collection[str],
            condition: ColumnElement[bool]) -> dict[str, JSON]:
    with ledger.transaction() as session:
        rows = session.execute(select(MirrorRow.record_id, MirrorRow.body).where(
            MirrorRow.object_type.in_(list(object_types)), condition))
        return {row.record_id: row.body for row in rows}


def containing_text_at(ledger: Ledger, object_types: Collection[str], path: Sequence[str],
                       text: str) -> dict[str, JSON]:
    """Records whose string at ``path`` contains ``text``, ignoring case."""
    pattern = f"%{_escaped(text.lower())}%"
    return _bodies(ledger, object_types,
                   func.lower(_text_at(path)).like(pattern, escape="\\"))


def with_value_at(ledger: Ledger, object_types: Collection[str], path: Sequence[str],
                  values: Collection[str]) -> dict[str, JSON]:
    """Records whose string at ``path`` is one of ``values``: first the bodies holding
    one of them as a string anywhere (a text match, cheaper than reading the JSON),
    then the JSON read at ``path`` for those only."""
    if not values:
        return {}
    return _bodies(ledger, object_types,
                   and_(_holding(values), _text_at(path).in_(list(values))))


def mentioning(ledger: Ledger, object_types: Collection[str],
               values: Collection[str]) -> dict[str, JSON]:
    """Records whose JSON holds one of ``values`` as a string anywhere (a deal naming a
    company among its associations)."""
    if not values:
        return {}
    return _bodies(ledger, object_types, _holding(values))


def by_id(ledger: Ledger, object_types: Collection[str],
          record_ids: Collection[str]) -> dict[str, JSON]:
    if not record_ids:
        return {}
    return _bodies(ledger, object_types, MirrorRow.record_id.in_(list(record_ids)))
