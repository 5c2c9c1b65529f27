"""Property history lookups (R1).

HubSpot lists a property's history newest first. R1: the value at instant t is the
entry with the greatest timestamp <= t; before the first entry the earliest value
applies; on equal timestamps the entry HubSpot lists first (the newest) wins. At
``t_m`` an entry counts when its timestamp is strictly earlier than the first
instant of month m+1.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class History(Generic[T]):
    """Timestamped values in ascending order; among equal timestamps the winner is last.

    A value of ``None`` is an emptied property ("not a partner from that instant").
    """

    entries: tuple[tuple[datetime, T | None], ...] = ()
    _stamps: tuple[datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stamps", tuple(stamp for stamp, _ in self.entries))

    @classmethod
    def from_newest_first(cls, entries: Iterable[tuple[datetime, T | None]]) -> History[T]:
        """Build from HubSpot's order. ``sorted`` is stable, so after reversing, the
        entry HubSpot listed first among equal timestamps ends up last and wins."""
        newest_last = list(entries)[::-1]
        ascending = sorted(newest_last, key=lambda entry: entry[0])
        return cls(tuple(ascending))

    @classmethod
    def constant(cls, value: T | None, since: datetime) -> History[T]:
        return cls(((since, value),))

    def at(self, instant: datetime) -> T | None:
        """The value at ``instant``: greatest timestamp <= instant (R1)."""
        return self._pick(bisect_right(self._stamps, instant))

    def before(self, boundary: datetime) -> T | None:
        """The value at ``t_m`` for ``boundary = month_end(m)``: timestamps < boundary."""
        return self._pick(bisect_left(self._stamps, boundary))

    def _pick(self, count: int) -> T | None:
        if not self.entries:
            return None
        if count == 0:
            return self.entries[0][1]  # before the first entry the earliest value applies
        return self.entries[count - 1][1]

    def until(self, as_of: datetime) -> History[T]:
        """Drop entries dated after ``as_of``: under ``--as-of`` they do not exist yet."""
        kept = bisect_right(self._stamps, as_of)
        if kept == len(self.entries):
            return self
        return History(self.entries[:kept])

    def values(self) -> tuple[T | None, ...]:
        return tuple(entry_value for _, entry_value in self.entries)

    @property
    def current(self) -> T | None:
        return self.entries[-1][1] if self.entries else None
