"""A synthetic portal: one list of vendor objects per fixture file, and its writer.

``write_portal`` writes docs/sandbox.md's fixture layout, each file a JSON array pretty-printed
with sorted keys, one object after another, so a diff shows exactly what changed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO

from sandbox.synthetic.reference import JsonObject

FILES = {
    "companies": "hubspot/companies.json",
    "deals": "hubspot/deals.json",
    "customers": "stripe/customers.json",
    "products": "stripe/products.json",
    "prices": "stripe/prices.json",
    "subscriptions": "stripe/subscriptions.json",
    "invoices": "stripe/invoices.json",
    "accounts": "stripe/accounts.json",
    "coupons": "stripe/coupons.json",
    "users": "hubspot/users.json",
}
INDENT = 1


@dataclass(slots=True)
class Portal:
    """HubSpot and Stripe objects in the vendors' own API shapes."""

    companies: list[JsonObject] = field(default_factory=list)
    deals: list[JsonObject] = field(default_factory=list)
    customers: list[JsonObject] = field(default_factory=list)
    products: list[JsonObject] = field(default_factory=list)
    prices: list[JsonObject] = field(default_factory=list)
    subscriptions: list[JsonObject] = field(default_factory=list)
    invoices: list[JsonObject] = field(default_factory=list)
    accounts: list[JsonObject] = field(default_factory=list)
    coupons: list[JsonObject] = field(default_factory=list)
    users: list[JsonObject] = field(default_factory=list)  # HubSpot's users API shape

    def extend(self, other: Portal) -> None:
        for name in FILES:
            getattr(self, name).extend(getattr(other, name))

    def counts(self) -> dict[str, int]:
        return {item.name: len(getattr(self, item.name)) for item in fields(self)}


def dump_array(objects: Iterable[JsonObject], out: IO[str]) -> None:
    """Exactly ``json.dumps(list(objects), indent=1, sort_keys=True)`` and a newline."""
    writer = _ArrayWriter(out)
    writer.extend(objects)
    writer.close()


def write_portal(portal: Portal, out_dir: Path) -> dict[str, Path]:
    """Write every file of the portal under ``out_dir``; returns the paths written."""
    return write_portal_chunks([portal], out_dir)


def write_portal_chunks(chunks: Iterable[Portal], out_dir: Path) -> dict[str, Path]:
    """Write a portal given in successive parts, holding one part at a time: the
    files equal ``write_portal`` of the parts joined in order."""
    paths = {name: out_dir / relative for name, relative in FILES.items()}
    with ExitStack() as stack:
        writers: dict[str, _ArrayWriter] = {}
        for name, path in paths.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            writers[name] = _ArrayWriter(stack.enter_context(path.open("w", encoding="utf-8")))
        for chunk in chunks:
            for name, writer in writers.items():
                writer.extend(getattr(chunk, name))
        for writer in writers.values():
            writer.close()
    return paths


class _ArrayWriter:
    """A JSON array written one element at a time, formatted like ``json.dumps``."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._empty = True
        out.write("[")

    def extend(self, objects: Iterable[JsonObject]) -> None:
        for obj in objects:
            text = json.dumps(obj, indent=INDENT, sort_keys=True, ensure_ascii=False)
            self._out.write("\n " if self._empty else ",\n ")
            self._out.write(text.replace("\n", "\n "))
            self._empty = False

    def close(self) -> None:
        self._out.write("]\n" if self._empty else "\n]\n")


def portal_json(portal: Portal) -> dict[str, str]:
    """Each file's text, as ``write_portal`` would write it (for comparisons)."""
    texts: dict[str, str] = {}
    for name, relative in FILES.items():
        buffer = io.StringIO()
        dump_array(getattr(portal, name), buffer)
        texts[relative] = buffer.getvalue()
    return texts
