"""What the mirror keeps of a Stripe invoice, subscription or customer: the fields the
worker reads.

An invoice as Stripe sends it is about 4 KB, a subscription 3 KB, mostly fields no rule
reads (addresses, URLs, payment settings, tax details); a large account has hundreds of
thousands. The mirror keeps only what ``mappings.stripe.billing`` and ``mappings.stripe.invoices``
read (and what names a record in a quarantine message): the mirror and the JSON a run
encodes and decodes shrink to a fraction. A mapping that starts reading another field
adds it here; ``tests/pull/test_pull_kept.py`` maps fixtures both ways and compares.

Stripe has no field selection, so a full listing's pages are decoded straight into what
is kept (``invoice_page``, ``subscription_page``: msgspec skips the other fields without
building them, half the cost of decoding everything and dropping most of it); ``kept``
then finds nothing to drop and returns the record as it is.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

import msgspec

from sync.pull.mirror_inputs import Mirrored
from sync.runtime import fastjson

JSON = dict[str, Any]


class KeptLine(TypedDict, total=False):
    id: Any
    object: Any
    amount: Any
    currency: Any
    period: Any
    discount_amounts: Any
    parent: Any  # the subscription and its item, in the pinned API version
    pricing: Any
    invoice: Any


class KeptLines(TypedDict, total=False):
    """The invoice's embedded list of lines."""

    object: Any
    data: list[KeptLine]
    has_more: Any
    total_count: Any
    url: Any


class _Names(TypedDict, total=False):
    """What names a record in a quarantine message, whatever its type."""

    id: Any
    object: Any
    deleted: Any
    created: Any
    livemode: Any
    metadata: Any
    number: Any
    email: Any
    customer: Any
    nickname: Any
    description: Any


class KeptInvoice(_Names, total=False):
    status: Any
    currency: Any
    amount_paid: Any
    amount_due: Any
    total: Any
    parent: Any
    post_payment_credit_notes_amount: Any
    status_transitions: Any
    lines: KeptLines


class KeptCustomer(_Names, total=False):
    name: Any


class KeptSubscription(_Names, total=False):
    status: Any
    ended_at: Any


class _InvoicePage(TypedDict, total=False):
    object: Any
    data: list[KeptInvoice]
    has_more: Any
    url: Any


class _SubscriptionPage(TypedDict, total=False):
    object: Any
    data: list[KeptSubscription]
    has_more: Any
    url: Any


NAMES = frozenset(_Names.__annotations__)
INVOICE = frozenset(KeptInvoice.__annotations__)
INVOICE_LINES = frozenset(KeptLines.__annotations__)
INVOICE_LINE = frozenset(KeptLine.__annotations__)
CUSTOMER = frozenset(KeptCustomer.__annotations__)
SUBSCRIPTION = frozenset(KeptSubscription.__annotations__)
_INVOICE_PAGE = msgspec.json.Decoder(_InvoicePage)
_SUBSCRIPTION_PAGE = msgspec.json.Decoder(_SubscriptionPage)


def kept(kind: str, record: JSON) -> JSON:
    """``record`` as the mirror stores it: a new dict, or ``record`` itself when it has
    nothing to drop (other types as they are)."""
    if kind == Mirrored.STRIPE_INVOICE.value:
        return record if _kept_invoice(record) else _invoice(record)
    if kind == Mirrored.STRIPE_CUSTOMER.value:
        return _only(record, CUSTOMER)
    if kind == Mirrored.STRIPE_SUBSCRIPTION.value:
        return record if SUBSCRIPTION.issuperset(record) else _only(record, SUBSCRIPTION)
    return record


def invoice_page(raw: bytes) -> JSON:
    """A listing page of invoices, each already as ``kept`` keeps it; anything msgspec
    would not read exactly as ``sync.runtime.fastjson`` does (bytes that are not UTF-8, NaN, a
    lone surrogate, a field of another shape: an item or a line that is not an object...)
    is decoded whole instead, and ``kept`` drops the rest when it is stored."""
    return _projected(_INVOICE_PAGE, raw)


def subscription_page(raw: bytes) -> JSON:
    """A listing page of subscriptions, each already as ``kept`` keeps it (as above)."""
    return _projected(_SUBSCRIPTION_PAGE, raw)


def _projected(decoder: msgspec.json.Decoder[Any], raw: bytes) -> JSON:
    try:
        raw.decode()  # fastjson refuses what is not UTF-8, even in a field dropped here
        return cast(JSON, decoder.decode(raw))
    except (UnicodeDecodeError, msgspec.DecodeError, msgspec.ValidationError):
        page: JSON = fastjson.loads(raw)
        return page


def _kept_invoice(record: JSON) -> bool:
    """Nothing to drop: ``_invoice`` would give an equal dict."""
    if not INVOICE.issuperset(record):
        return False
    lines = record.get("lines")
    if not isinstance(lines, dict):
        return True
    if not INVOICE_LINES.issuperset(lines):
        return False
    data = lines.get("data")
    return not isinstance(data, list) or all(
        not isinstance(line, dict) or INVOICE_LINE.issuperset(line) for line in data)


def _invoice(record: JSON) -> JSON:
    slim = _only(record, INVOICE)
    lines = slim.get("lines")
    if isinstance(lines, dict):
        slim["lines"] = _only(lines, INVOICE_LINES)
        data = lines.get("data")
        if isinstance(data, list):
            slim["lines"]["data"] = [_only(line, INVOICE_LINE) if isinstance(line, dict)
                                     else line for line in data]
    return slim


def _only(record: JSON, names: frozenset[str]) -> JSON:
    return {key: value for key, value in record.items() if key in names}
