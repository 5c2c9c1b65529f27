"""Reading the partner pages as a person reads them: the text of each element with an
id, and each table's rows as lists of cell texts (standard library's HTML parser)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
BLOCKS = frozenset({"br", "dd", "div", "dt", "li", "p", "td", "th", "tr"})  # read apart
SPACES = re.compile(r"[ \t\r\n]+")  # no-break spaces stay: French amounts keep them


def tidy(text: str) -> str:
    return SPACES.sub(" ", text).strip()


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[tuple[str, str | None]] = []
        self._texts: dict[str, list[str]] = {}
        self._tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.attributes: dict[str, dict[str, str | None]] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.handle_data(" ")
        found = dict(attrs)
        element_id = found.get("id")
        if element_id:
            self.attributes[element_id] = found
            self._texts.setdefault(element_id, [])
            if tag == "table":
                self._table = element_id
                self._tables[element_id] = []
        if self._table is not None and tag == "tr":
            self._tables[self._table].append([])
        if self._table is not None and tag in ("td", "th"):
            self._cell = []
        if tag not in VOID:
            self._open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table is not None and self._cell is not None:
            self._tables[self._table][-1].append(tidy("".join(self._cell)))
            self._cell = None
        while self._open:
            open_tag, element_id = self._open.pop()
            if open_tag == "table" and element_id == self._table:
                self._table = None
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self._texts[element_id].append(data)
        if self._cell is not None:
            self._cell.append(data)

    def text(self, element_id: str) -> str:
        assert element_id in self._texts, f"no element #{element_id}"
        return tidy("".join(self._texts[element_id]))

    def rows(self, table_id: str) -> list[list[str]]:
        """Every row, header and footer included, as cell texts."""
        assert table_id in self._tables, f"no table #{table_id}"
        return self._tables[table_id]
