"""What the mirror keeps of a Stripe invoice or customer: the fields the worker reads.

An invoice as Stripe sends it is about 4 KB, mostly fields no rule reads (addresses,
URLs, payment settings, tax details); a large account has hundreds of thousands. The
mirror keeps only what ``mappings.stripe`` and ``mappings.stripe_invoices`` read (and
what names a record in a quarantine message): the mirror and the JSON a run encodes and
decodes shrink to a third of the size. A mapping that starts reading another field adds
it here; ``tests/pull/test_pull_kept.py`` maps fixtures both ways and compares.
"""

from __future__ import annotations

from typing import Any

from sync.inputs import Mirrored

JSON = dict[str, Any]

NAMES = frozenset({"id", "object", "deleted", "created", "livemode", "metadata",
                   "number", "email", "customer", "nickname", "description"})
INVOICE = NAMES | {"status", "currency", "amount_paid", "amount_due", "total", "subscription",
                   "parent",
                   "post_payment_credit_notes_amount", "status_transitions", "lines"}
INVOICE_LINE = frozenset({"id", "object", "amount", "currency", "period", "discount_amounts",
                          "parent", "proration", "type", "subscription", "pricing", "price",
                          "plan", "invoice"})
CUSTOMER = NAMES | {"name"}


def kept(kind: str, record: JSON) -> JSON:
    """``record`` as the mirror stores it (a new dict; other types as they are)."""
    if kind == Mirrored.STRIPE_INVOICE.value:
        return _invoice(record)
    if kind == Mirrored.STRIPE_CUSTOMER.value:
        return _only(record, CUSTOMER)
    return record


def _invoice(record: JSON) -> JSON:
    slim = _only(record, INVOICE)
    lines = slim.get("lines")
    if isinstance(lines, dict) and isinstance(lines.get("data"), list):
        slim["lines"] = {**{key: value for key, value in lines.items() if key != "data"},
                         "data": [_only(line, INVOICE_LINE) if isinstance(line, dict) else line
                                  for line in lines["data"]]}
    return slim


def _only(record: JSON, names: frozenset[str]) -> JSON:
    return {key: value for key, value in record.items() if key in names}
