"""Stripe invoices and their lines to the domain model (R3, R11, R18, R19).

An invoice with any bad field or line is quarantined whole: one record in, one reason
out, never a partial invoice. The caller fetches every page of lines (an embedded
``lines`` list holds only the first) and passes the rest in ``extra_lines``.

Only the pinned API version's shape is read: a line names its subscription and item in
``parent`` and its price in ``pricing`` (since 2025-03-31.basil). The invoice's removed
top-level ``subscription`` and the line fields of older versions (``type``,
``subscription_item``, ``proration``, ``price``, ``plan``) are never read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from mappings.stripe.objects import (
    StripeObject,
    expandable_id,
    flag,
    integer,
    is_deleted,
    is_object,
    mapping,
    read_object,
    required_id,
)
from mappings.values import BadValueError, InstantCache, parse_currency, quarantined
from sync.domain.inputs import Invoice, InvoiceLine, Quarantined

STATUSES = frozenset({"draft", "open", "paid", "uncollectible", "void"})
_SUBSCRIPTION_ITEM = "subscription_item_details"
_INVOICE_ITEM = "invoice_item_details"
_SUBSCRIPTION_ITEM_FIELD = f"parent.{_SUBSCRIPTION_ITEM}"
_SUBSCRIPTION_ITEM_PRORATION = f"{_SUBSCRIPTION_ITEM_FIELD}.proration"
_INVOICE_ITEM_FIELD = f"parent.{_INVOICE_ITEM}"
_INVOICE_ITEM_PRORATION = f"{_INVOICE_ITEM_FIELD}.proration"
Parent = tuple[bool, str | None, str | None]  # proration, subscription, subscription item
_NOT_A_SUBSCRIPTION_LINE: Parent = (False, None, None)
_NO_PARENT = ("missing: since API version 2025-03-31 a line names its subscription and "
              "subscription item under parent; older shapes are not read")


def invoices_from_stripe(
    invoices: Iterable[object],
    *,
    known_price_ids: Collection[str] | None = None,
    extra_lines: Mapping[str, Sequence[object]] | None = None,
    instants: InstantCache | None = None,
) -> tuple[list[Invoice], list[Quarantined]]:
    """``known_price_ids``, when given, are the prices read: a subscription line whose
    price is not among them cannot be normalised (R11) and quarantines its invoice.
    ``instants`` shares datetime objects between equal instants (pass one cache for a
    whole run)."""
    mapper = InvoiceMapper(known_price_ids=known_price_ids, extra_lines=extra_lines,
                           instants=instants)
    return split_mapped(mapper.map(raw) for raw in invoices)


def split_mapped(results: Iterable[Invoice | Quarantined | None]
                 ) -> tuple[list[Invoice], list[Quarantined]]:
    """``InvoiceMapper.map``'s answers, in order: the invoices, the quarantined ones
    (deleted invoices are neither)."""
    mapped: list[Invoice] = []
    bad: list[Quarantined] = []
    for result in results:
        if isinstance(result, Invoice):
            mapped.append(result)
        elif result is not None:
            bad.append(result)
    return mapped, bad


class InvoiceMapper:
    """One invoice at a time, as ``invoices_from_stripe`` maps them: an ``Invoice``, the
    ``Quarantined`` record saying why not, or ``None`` for a deleted one. For a listing
    mapped as it streams in (``sync.pull.mirror_inputs.ListedInvoices``)."""

    __slots__ = ("_reader",)

    def __init__(self, *, known_price_ids: Collection[str] | None = None,
                 extra_lines: Mapping[str, Sequence[object]] | None = None,
                 instants: InstantCache | None = None) -> None:
        self._reader = _InvoiceReader(known_price_ids, extra_lines or {},
                                      instants or InstantCache())

    def map(self, raw: object) -> Invoice | Quarantined | None:
        try:
            invoice_id, obj = read_object(raw)
        except BadValueError as error:
            return quarantined("stripe", "invoice", "?", error.field, error)
        if is_deleted(obj):
            return None
        try:
            return self._reader.invoice(obj, invoice_id)
        except BadValueError as error:
            return quarantined("stripe", "invoice", invoice_id, error.field, error)


class _InvoiceReader:
    __slots__ = ("_extra_lines", "_instant", "_known_prices")

    def __init__(
        self,
        known_price_ids: Collection[str] | None,
        extra_lines: Mapping[str, Sequence[object]],
        instants: InstantCache,
    ) -> None:
        self._known_prices = None if known_price_ids is None else frozenset(known_price_ids)
        self._extra_lines = extra_lines
        self._instant = instants

    def invoice(self, obj: StripeObject, invoice_id: str) -> Invoice:
        status = obj.get("status")
        if status not in STATUSES:
            raise BadValueError(f"expected one of {', '.join(sorted(STATUSES))}", status,
                                "status")
        try:
            currency = parse_currency(obj.get("currency"))
        except BadValueError as error:
            raise error.within("currency") from None
        return Invoice(
            id=invoice_id,
            customer_id=required_id(obj, "customer"),
            currency=currency,
            status=status,
            amount_paid=integer(obj.get("amount_paid"), "amount_paid", minimum=0),
            total=integer(obj.get("total"), "total"),  # negative on a downgrade: R18 clamps
            post_payment_credit_notes_amount=integer(
                obj.get("post_payment_credit_notes_amount"), "post_payment_credit_notes_amount",
                minimum=0),
            paid_at=self._paid_at(obj, status),
            lines=tuple(self._line(line) for line in self._raw_lines(obj, invoice_id)),
        )

    def _paid_at(self, obj: StripeObject, status: str) -> datetime | None:
        transitions = mapping(obj.get("status_transitions"), "status_transitions")
        value = transitions.get("paid_at")
        if value is None:
            if status == "paid":
                raise BadValueError("a paid invoice without its payment instant (R3)", None,
                                    "status_transitions.paid_at")
            return None
        try:
            return self._instant(value)
        except BadValueError as error:
            raise error.within("status_transitions.paid_at") from None

    def _raw_lines(self, obj: StripeObject, invoice_id: str) -> list[object]:
        listed = mapping(obj.get("lines"), "lines")
        first_page = listed.get("data")
        if not isinstance(first_page, list):
            raise BadValueError("expected a list of lines", first_page, "lines.data")
        rest = self._extra_lines.get(invoice_id)
        if rest is None:
            if listed.get("has_more") is True:
                raise BadValueError(
                    "has_more is true but the remaining pages were not read "
                    "(/v1/invoices/{id}/lines)", "true", "lines.has_more")
            return first_page
        return _without_repeats([*first_page, *rest])

    def _line(self, raw: object) -> InvoiceLine:
        try:
            line_id, line = read_object(raw)
        except BadValueError as error:
            raise error.within("lines") from None
        try:
            return self._read_line(line, line_id)
        except BadValueError as error:
            raise error.within(f"lines[{line_id}]") from None

    def _read_line(self, line: StripeObject, line_id: str) -> InvoiceLine:
        amount = integer(line.get("amount"), "amount")
        period = mapping(line.get("period"), "period")
        start = self._period_instant(period, "start")
        end = self._period_instant(period, "end")
        if end < start:
            raise BadValueError("period ends before it starts",
                                f"start {period['start']}, end {period['end']}", "period")
        proration, subscription_id, item_id = _parent(line)
        price_id = _price_id(line)
        if item_id is not None:
            self._check_subscription_line(amount, proration, price_id)
        return InvoiceLine(line_id, amount, _discount(line), start, end, price_id, proration,
                           subscription_id, item_id)

    def _period_instant(self, period: StripeObject, key: str) -> datetime:
        try:
            return self._instant(period.get(key))
        except BadValueError as error:
            raise error.within(f"period.{key}") from None

    def _check_subscription_line(self, amount: int, proration: bool, price_id: str | None) -> None:
        if price_id is None:
            raise BadValueError("a subscription line without a price (R11 needs its interval)",
                                None, "pricing.price_details.price")
        if self._known_prices is not None and price_id not in self._known_prices:
            raise _unknown_price(price_id)
        if amount < 0 and not proration:
            raise BadValueError("negative amount on a subscription line that is not a "
                                "proration", amount, "amount")


def _unknown_price(price_id: str) -> BadValueError:
    return BadValueError("price not among the prices read (deleted or quarantined?); R11 "
                         "needs its interval", price_id, "pricing.price_details.price")


def with_known_prices(invoice: Invoice, known_price_ids: Collection[str]) -> Invoice | Quarantined:
    """``invoice`` as mapped without ``known_price_ids``, checked against them after the
    fact: what ``InvoiceMapper(known_price_ids=...)`` answers for the same record. An
    invoice that mapped cleanly can fail only that check, and the mapper reads lines in
    order, so its first subscription line with an unknown price is the one it names."""
    for line in invoice.lines:
        if line.subscription_item_id is not None and line.price_id not in known_price_ids:
            error = _unknown_price(line.price_id or "").within(f"lines[{line.id}]")
            return quarantined("stripe", "invoice", invoice.id, error.field, error)
    return invoice


def _without_repeats(lines: list[object]) -> list[object]:
    """Pages fetched with overlap: keep each line id once, first seen."""
    seen: set[object] = set()
    kept: list[object] = []
    for line in lines:
        key = line.get("id") if isinstance(line, Mapping) else id(line)
        if key not in seen:
            seen.add(key)
            kept.append(line)
    return kept


def _discount(line: StripeObject) -> int:
    amounts = line.get("discount_amounts")
    if not amounts:
        return 0
    if not isinstance(amounts, list):
        raise BadValueError("expected a list", amounts, "discount_amounts")
    total = 0
    for index, entry in enumerate(amounts):
        field = f"discount_amounts[{index}].amount"
        total += integer(mapping(entry, field).get("amount"), field, minimum=0)
    return total


def _parent(line: StripeObject) -> Parent:
    """(proration, subscription, subscription item), from ``parent`` only: the fields
    API versions before 2025-03-31 put on the line itself are not read. Only
    subscription-item lines can count in a basis (R11); a null parent, or any other
    parent, known or new, is not one."""
    if "parent" not in line:
        raise BadValueError(_NO_PARENT, None, "parent")
    parent = line["parent"]
    if parent is None:
        return _NOT_A_SUBSCRIPTION_LINE
    kind = mapping(parent, "parent").get("type")
    if kind == _SUBSCRIPTION_ITEM:
        details = mapping(parent.get(kind), _SUBSCRIPTION_ITEM_FIELD)
        try:
            return (flag(details.get("proration"), _SUBSCRIPTION_ITEM_PRORATION),
                    required_id(details, "subscription"),
                    required_id(details, "subscription_item"))
        except BadValueError as error:
            if error.field.startswith(_SUBSCRIPTION_ITEM_FIELD):
                raise
            raise error.within(_SUBSCRIPTION_ITEM_FIELD) from None
    if kind == _INVOICE_ITEM:
        details = mapping(parent.get(kind), _INVOICE_ITEM_FIELD)
        return (flag(details.get("proration"), _INVOICE_ITEM_PRORATION),
                expandable_id(details.get("subscription")), None)
    return _NOT_A_SUBSCRIPTION_LINE


def _price_id(line: StripeObject) -> str | None:
    """``pricing.price_details.price``; the line's ``price`` and ``plan`` of API versions
    before 2025-03-31 are not read."""
    pricing = line.get("pricing")
    if is_object(pricing):
        details = pricing.get("price_details")
        if is_object(details):
            return expandable_id(details.get("price"))
    return None
