"""Listings for people and for scripts: one shape, three formats (``--format``).

A ``Listing`` declares its rows once: ``columns`` for the terminal table, ``fields`` for
CSV and JSON. The table fits the console's width (``COLUMNS`` off a terminal, 80 by
default in a pipe): columns are kept in priority order while they fit, whole (ids,
amounts, statuses never cut) or folded (free text); what does not fit is named in the
caption, never shown as an empty header. CSV and JSON carry every field, whatever the
width (README, "Tables and lists for scripts").
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TextIO, TypeVar

from rich.console import Console
from rich.table import Table

from sync.cli.common import cell
from sync.domain.money import Cents, eur
from sync.ledger.transitions import spreadsheet_safe

R = TypeVar("R")
FORMATS = ("table", "csv", "json")
FOLD_MIN = 12  # the narrowest a folded column gets: every folded column gets as much
BORDERS = 3  # a column's share of a boxed table's borders and padding (plus 1 per table)
Value = str | int | bool | None | list[str] | dict[str, Any]


@dataclass(frozen=True)
class Column(Generic[R]):
    """A table column; ``priority`` 1 is always shown, higher numbers give way first."""

    header: str
    text: Callable[[R], str]
    priority: int = 1
    fold: bool = False  # free text that wraps; otherwise kept whole on one line
    justify: Literal["left", "right"] = "left"


@dataclass(frozen=True)
class Field(Generic[R]):
    """A CSV column and JSON key. ``text``: a cell a spreadsheet must not evaluate;
    numbers (cents, counts) and money text stay as they are. ``csv``: JSON only."""

    name: str
    value: Callable[[R], Value]
    text: bool = True
    csv: bool = True


@dataclass(frozen=True)
class Listing(Generic[R]):
    title: str
    columns: Sequence[Column[R]]
    fields: Sequence[Field[R]]
    rows: Sequence[R]
    caption: str = ""


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="table for people (fits the terminal); csv with a header row "
                             "or json, a list of objects, for scripts (every field)")


def emit(listing: Listing[R], format_: str, out: Console, target: TextIO | None = None) -> None:
    """The listing in ``format_``: a table on ``out``, CSV or JSON on ``target``
    (standard output by default)."""
    stream = target or sys.stdout
    try:
        if format_ == "csv":
            write_csv(listing, stream)
        elif format_ == "json":
            json.dump([record(listing, row) for row in listing.rows], stream, indent=2,
                      ensure_ascii=False)
            stream.write("\n")
        else:
            out.print(fit_table(listing, out.width))
        stream.flush()
    except BrokenPipeError:
        # The reader stopped early (``| head``): nothing is wrong. Standard output goes
        # to /dev/null so the interpreter's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def record(listing: Listing[R], row: R) -> dict[str, Value]:
    return {field.name: field.value(row) for field in listing.fields}


def write_csv(listing: Listing[R], target: TextIO) -> None:
    fields = [field for field in listing.fields if field.csv]
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow([field.name for field in fields])
    for row in listing.rows:
        writer.writerow([_csv_cell(field, field.value(row)) for field in fields])


def _csv_cell(field: Field[R], value: Value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return spreadsheet_safe(text) if field.text else text


# -- the table ---------------------------------------------------------------------------


def fit_table(listing: Listing[R], width: int) -> Table:
    texts = [[column.text(row) for column in listing.columns] for row in listing.rows]
    needs = [_width_needed(column, [line[index] for line in texts])
             for index, column in enumerate(listing.columns)]
    shown = _choose(listing.columns, needs, width)
    widths = _widths(listing.columns, needs, shown, width)
    left_out = [column.header for index, column in enumerate(listing.columns)
                if index not in shown]
    caption = listing.caption
    if left_out:
        scripts = "; --format csv or json has every field" if listing.fields else ""
        note = (f"not shown at {width} columns: {', '.join(left_out)} "
                f"(a wider terminal shows them{scripts})")
        caption = f"{caption}; {note}" if caption else note
    table = Table(title=listing.title, caption=caption or None)
    for index in sorted(shown):
        column = listing.columns[index]
        table.add_column(column.header, justify=column.justify, width=widths[index],
                         no_wrap=not column.fold, overflow="fold")
    for line in texts:
        table.add_row(*(cell(line[index]) for index in sorted(shown)))
    return table


def _width_needed(column: Column[R], cells: list[str]) -> tuple[int, int]:
    """(narrowest, widest) a column can be: a whole column is as wide as its widest cell
    and its header; a folded one at least as wide as its header's longest word."""
    widest = max([len(text) for text in cells] + [len(column.header)])
    if not column.fold:
        return widest, widest
    longest_word = max(len(word) for word in column.header.split())
    return min(widest, max(FOLD_MIN, longest_word)), widest


def _choose(columns: Sequence[Column[R]], needs: list[tuple[int, int]], width: int) -> set[int]:
    """Columns in priority order (then left to right), each kept when its narrowest
    still fits; priority 1 always."""
    shown: set[int] = set()
    used = 1
    for index in sorted(range(len(columns)), key=lambda i: (columns[i].priority, i)):
        cost = needs[index][0] + BORDERS
        if columns[index].priority == 1 or used + cost <= width:
            shown.add(index)
            used += cost
    return shown


def _widths(columns: Sequence[Column[R]], needs: list[tuple[int, int]], shown: set[int],
            width: int) -> dict[int, int]:
    """Whole columns at their widest; folded ones share the rest, the narrowest first
    getting all they need (water filling), none below its narrowest."""
    widths = {index: needs[index][1] for index in shown if not columns[index].fold}
    folded = sorted((index for index in shown if columns[index].fold),
                    key=lambda index: needs[index][1])
    room = width - 1 - BORDERS * len(shown) - sum(widths.values())
    for position, index in enumerate(folded):
        share = room // (len(folded) - position) if room > 0 else 0
        widths[index] = max(needs[index][0], min(needs[index][1], share))
        room -= widths[index]
    return widths


# -- values in scripts' formats ----------------------------------------------------------


def instant(value: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, ``2026-12-03T12:17:28Z``."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def euros(cents: Cents | None) -> str | None:
    return None if cents is None else eur(cents)


def money_fields(name: str, cents: Callable[[R], Cents | None]) -> list[Field[R]]:
    """An amount as ``<name>_cents`` (integer, exact: what a script sums) and
    ``<name>_eur`` (``943.63``, what a person reads)."""
    return [Field(f"{name}_cents", cents, text=False),
            Field(f"{name}_eur", lambda row: euros(cents(row)), text=False)]
