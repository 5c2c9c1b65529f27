"""Reading the admin pages as a person does: headings, and each table's rows as text."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser


def grouped(cents: int) -> str:
    """EUR as people read it, formatted here independently of the code under test."""
    return format(Decimal(cents).scaleb(-2), ",.2f")


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []  # (tag, text)
        self.tables: list[tuple[str, list[list[str]]]] = []  # (heading above, body rows)
        self._text: list[str] | None = None
        self._heading: str | None = None
        self._row: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2"):
            self._heading, self._text = tag, []
        elif tag == "table":
            above = self.headings[-1][1] if self.headings else ""
            self.tables.append((above, []))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2") and self._heading == tag and self._text is not None:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._heading, self._text = None, None
        elif tag in ("td", "th") and self._row is not None and self._text is not None:
            self._row.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    return parser


def headings(page: str) -> list[str]:
    return [text for _, text in read(page).headings]


def rows_under(page: str, heading: str) -> list[list[str]]:
    """The body rows of the first table under the heading that starts with ``heading``."""
    for above, rows in read(page).tables:
        if above.startswith(heading):
            return rows
    raise AssertionError(f"no table under a heading {heading!r}: {headings(page)}")


def text(page: str) -> str:
    """The page's words, whitespace collapsed, entities decoded."""
    collected: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            collected.append(data)

    _Text().feed(page)
    return " ".join(" ".join(collected).split())
