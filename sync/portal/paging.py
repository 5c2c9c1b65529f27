"""Pages of a long table (customers, a month's lines, a statement's lines): which rows
a page shows and which page links its navigation offers. Pure: the caller counts the
rows and asks the database for ``offset``/``size`` of them in a stable order."""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 100
AROUND = 2  # page links either side of the current one, besides the first and last


class PageNumberError(ValueError):
    """``?page=`` is not a whole number from 1 (400)."""


def page_number(text: str | None) -> int:
    """The page asked for: 1 when absent; a positive whole number otherwise."""
    if text is None or not text.strip():
        return 1
    cleaned = text.strip()
    if not cleaned.isascii() or not cleaned.isdigit() or int(cleaned) < 1:
        raise PageNumberError(cleaned)
    return int(cleaned)


@dataclass(frozen=True, slots=True)
class Paging:
    number: int  # from 1
    rows: int  # in the whole table
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """At least one: an empty table has one (empty) page."""
        return max(1, -(-self.rows // self.size))

    @property
    def exists(self) -> bool:
        return 1 <= self.number <= self.pages

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_row(self) -> int:
        """1-based, as a person counts; 0 for an empty table."""
        return min(self.offset + 1, self.rows)

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.rows)

    @property
    def links(self) -> tuple[int | None, ...]:
        """Page numbers to link, ``None`` where some are left out: 1 … 4 5 6 7 8 … 20."""
        near = range(max(1, self.number - AROUND), min(self.pages, self.number + AROUND) + 1)
        wanted = sorted({1, self.pages, *near})
        shown: list[int | None] = []
        for page in wanted:
            if shown and page - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(page)
        return tuple(shown)
