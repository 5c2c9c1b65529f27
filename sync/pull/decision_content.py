"""What the engine reads of a mirrored record, as a digest: the mirror moves a record's
``input_run`` only when this changes (``Mirror``), so a sync that finds no input moved
since its last complete decision need not decide again (``jobs.decision_marks``).

The worker's own writes come back on the next read: the deals' attribution and totals,
the partners' totals and confirmed account, the customers' attribution metadata. None
of them is an input of ``decide``, so they are left out here; otherwise the first
incremental sync after a full one would find every record it wrote changed.
What is left out must never be read by the engine's mappings: ``tests/pull/
test_decision_content.py`` maps records with and without it and compares.
Everything else a vendor sends, known or not, counts as a change (an unknown field is
never assumed irrelevant). Records of types ``decide`` does not read (finance's payout
records, Connect accounts) get no digest: they are read afresh by their own steps.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

from mappings.properties import PropertyMap
from sync.pull.mirror_inputs import Mirrored
from sync.runtime import fastjson

JSON = dict[str, Any]
# HubSpot's bookkeeping: moves with every write, ours included.
HUBSPOT_VOLATILE = ("updatedAt",)
# HubSpot's own properties that say nothing new: the modification stamp, and the
# record id repeated (HubSpot adds it to a record's properties once written).
HUBSPOT_BOOKKEEPING = frozenset({"hs_lastmodifieddate", "hs_object_id"})
DECIDED_TYPES = (Mirrored.HUBSPOT_PARTNER, Mirrored.HUBSPOT_COMPANY, Mirrored.HUBSPOT_DEAL,
                 Mirrored.STRIPE_CUSTOMER, Mirrored.STRIPE_PRICE,
                 Mirrored.STRIPE_SUBSCRIPTION, Mirrored.STRIPE_INVOICE)


def decision_content(props: PropertyMap) -> Callable[[str, JSON], JSON]:
    """What ``decide`` reads of a record of a type: the record less what it leaves out."""
    company = _hubspot_content(_written(props.company, props.company_properties_to_read())
                               | {props.company.confirmed_stripe_account_id})
    deal = _hubspot_content(_written(props.deal, props.deal_properties_to_read()))
    metadata = props.stripe_metadata
    written = {metadata.partner_id, metadata.attribution_source, metadata.attributed_at}

    def content(object_type: str, body: JSON) -> JSON:
        if object_type in (Mirrored.HUBSPOT_PARTNER, Mirrored.HUBSPOT_COMPANY):
            return company(body)
        if object_type == Mirrored.HUBSPOT_DEAL:
            return deal(body)
        if object_type == Mirrored.STRIPE_CUSTOMER:
            return _without_metadata(body, written)
        return body

    return content


def decision_digest(props: PropertyMap) -> Callable[[str, JSON], str]:
    """The mirror's digest of what ``decide`` reads of a record of a type."""
    content = decision_content(props)

    def digest(object_type: str, body: JSON) -> str:
        return hashlib.sha256(fastjson.canonical(content(object_type, body))).hexdigest()

    return digest


def _written(section: Any, read: tuple[str, ...]) -> set[str]:
    """The section's properties the worker writes and ``decide`` does not read."""
    names = {getattr(section, f.name) for f in dataclasses.fields(section)
             if "read" in f.metadata}
    return names - set(read)


def _hubspot_content(dropped: set[str]) -> Callable[[JSON], JSON]:
    """The record without the ``dropped`` properties (values and history) and HubSpot's
    modification stamps; every other property stays, unknown ones included."""
    dropped = dropped | HUBSPOT_BOOKKEEPING

    def content(body: JSON) -> JSON:
        kept = {key: value for key, value in body.items() if key not in HUBSPOT_VOLATILE}
        for section in ("properties", "propertiesWithHistory"):
            values = body.get(section)
            if isinstance(values, dict):
                kept[section] = {name: value for name, value in values.items()
                                 if name not in dropped}
        return kept

    return content


def _without_metadata(body: JSON, written: set[str]) -> JSON:
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        return body
    return {**body, "metadata": {key: value for key, value in metadata.items()
                                 if key not in written}}
