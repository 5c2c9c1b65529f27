"""Stripe invoices kept mapped beside their bodies in the mirror (issue 14).

Mapping every mirrored invoice from its JSON was most of a sync's deciding time (68,586
invoices: 5 of its 8.7 s at the portal benchmark's fifth size), whatever changed. So
the mirror stores, with each invoice body it writes, the domain ``Invoice`` that body
maps to (``encode``), and a run decodes those instead of mapping the JSON again
(``mapped_invoices``): what a decision reads costs the change, not the portal.

The stored form is a function of the body alone: mapped without the known prices, which
are checked when read (``with_known_prices``, the mapper's own check), so a price read
or removed since never leaves a stale invoice behind. Each stored form starts with the
fingerprint of the code that maps (the modules below, and this codec's version): after
an upgrade that changes any of them, every stored form is stale, is mapped from its body
again and rewritten once. A quarantined invoice is not stored mapped (its reason can
depend on the prices): it is mapped from its body on every run, as before.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import msgspec

from mappings.stripe.billing import prices_from_stripe
from mappings.stripe.invoices import InvoiceMapper, split_mapped, with_known_prices
from sync.domain.inputs import Invoice, Quarantined
from sync.ledger.mirror import Mirror

INVOICE: Final = "stripe.invoice"  # Mirrored.STRIPE_INVOICE (sync.pull.mirror_inputs)
_CODEC_VERSION = b"mapped-invoice/1"
# What an invoice maps to depends on these modules' code, and on nothing else but its body.
MAPPING_MODULES = ("mappings.stripe.invoices", "mappings.stripe.objects", "mappings.values",
                   "sync.domain.inputs", "sync.domain.history", "sync.domain.domains",
                   __name__)
_MAPPED, _DELETED = b"I", b"D"
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Invoice)
Mapped = Invoice | Quarantined | None  # as InvoiceMapper.map: None for a deleted invoice


def _fingerprint() -> bytes:
    digest = hashlib.sha256(_CODEC_VERSION)
    for name in MAPPING_MODULES:
        digest.update(Path(str(importlib.import_module(name).__file__)).read_bytes())
    return digest.digest()[:8]


FINGERPRINT: Final = _fingerprint()


def encode(object_type: str, body: dict[str, Any]) -> bytes | None:
    """The stored form of a mirrored record: only invoices that map cleanly, or deleted
    ones, have one."""
    if object_type != INVOICE:
        return None
    return encoded(InvoiceMapper().map(body))


def encoded(result: Mapped) -> bytes | None:
    if result is None:
        return FINGERPRINT + _DELETED
    if isinstance(result, Quarantined):
        return None
    return FINGERPRINT + _MAPPED + _ENCODER.encode(result)


class Stale(Exception):
    """A stored form written by other mapping code, damaged, or none: map the body
    again."""


def decode(stored: bytes | None) -> Invoice | None:
    """The invoice a stored form holds (None: a deleted invoice)."""
    if stored is None or stored[:8] != FINGERPRINT:
        raise Stale
    kind = stored[8:9]
    if kind == _DELETED:
        return None
    if kind != _MAPPED:
        raise Stale
    try:
        return _DECODER.decode(stored[9:])
    except msgspec.MsgspecError:  # damaged: the body is still there to map
        raise Stale from None


def known_price_ids(prices: Iterable[object]) -> set[str]:
    """The prices an invoice line may name (R11), as ``build_inputs`` takes them."""
    mapped, _ = prices_from_stripe(prices)
    return {price.id for price in mapped}


def mapped_invoices(mirror: Mirror, known: set[str]) -> tuple[list[Invoice], list[Quarantined]]:
    """Every mirrored invoice mapped, in record id order, exactly as ``InvoiceMapper(
    known_price_ids=known)`` maps its body: stored forms decoded and checked against
    ``known``; stale ones mapped from their bodies, and stored again."""
    results: dict[str, Mapped] = {}
    stale: dict[str, bytes | None] = {}  # record id -> what is stored
    for record_id, stored in mirror.stream_mapped(INVOICE):
        try:
            invoice = decode(stored)
        except Stale:
            stale[record_id] = stored
            results[record_id] = None  # holds its place in id order until mapped below
            continue
        results[record_id] = None if invoice is None else with_known_prices(invoice, known)
    if stale:
        results.update(_remapped(mirror, stale, known))
    return split_mapped(results.values())


def _remapped(mirror: Mirror, stale: dict[str, bytes | None], known: set[str]
              ) -> dict[str, Mapped]:
    checked, plain = InvoiceMapper(known_price_ids=known), InvoiceMapper()
    remapped: dict[str, Mapped] = {}
    refreshed: dict[str, bytes | None] = {}
    for record_id, body in mirror.bodies(INVOICE, list(stale)):
        mapped = plain.map(body)
        # Clean without the prices: the check after the fact is the mapper's own; a
        # quarantined one is mapped again with them (its reason can depend on them).
        remapped[record_id] = (with_known_prices(mapped, known) if isinstance(mapped, Invoice)
                               else mapped if mapped is None else checked.map(body))
        stored = encoded(mapped)
        if stored != stale[record_id]:
            refreshed[record_id] = stored
    if missing := stale.keys() - remapped.keys():  # the job lock keeps other writers out
        raise RuntimeError(f"mirrored invoices {sorted(missing)[:5]} vanished while read")
    mirror.store_mapped(INVOICE, refreshed)
    return remapped
