"""Terse builders for engine inputs, so each rule test reads like its example."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import count

from sync.config.programme_file import default_programme
from sync.domain.decisions import Decisions, LedgerState
from sync.domain.history import History
from sync.domain.inputs import (
    BillingInterval,
    CommissionOption,
    Customer,
    Deal,
    Inputs,
    Invoice,
    InvoiceLine,
    Partner,
    PartnerStatus,
    Price,
    Subscription,
    Tier,
)
from sync.domain.terms import Programme
from sync.engine.decide import decide

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_ids = count(1)


def at(text: str) -> datetime:
    """``"2026-01-15"`` or ``"2026-01-15T10:00:00"`` as an aware UTC instant."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def history(*entries: tuple[str, object]) -> History:  # type: ignore[type-arg]
    """Entries as (instant, value), oldest first, for readability."""
    return History(tuple((at(when), value) for when, value in entries))


def partner(
    pid: str = "101",
    tier: Tier | History = Tier.PARTNER,  # type: ignore[type-arg]
    status: PartnerStatus | History = PartnerStatus.ACTIVE,  # type: ignore[type-arg]
    option: CommissionOption | History = CommissionOption.RECURRING,  # type: ignore[type-arg]
    code: str | None = None,
    domain: str | None = None,
    **extra: object,
) -> Partner:
    def hist(value: object) -> History:  # type: ignore[type-arg]
        return value if isinstance(value, History) else History.constant(value, EPOCH)

    return Partner(
        id=pid, name=f"Partner {pid}", domain=domain, tier=hist(tier), status=hist(status),
        option=hist(option), referral_code=hist(code or f"CODE{pid}"), **extra,  # type: ignore[arg-type]
    )


def registration(deal_id: str, customer: str, partner_id: str, when: str,
                 **extra: object) -> Deal:
    return Deal(id=deal_id, stripe_customer_id=customer, registered_by=partner_id,
                registered_at=at(when), **extra)  # type: ignore[arg-type]


def referral(deal_id: str, customer: str, code: str, when: str, **extra: object) -> Deal:
    return Deal(id=deal_id, stripe_customer_id=customer, referral_code=code,
                referral_at=at(when), **extra)  # type: ignore[arg-type]


MONTHLY = Price("price_month", "eur", BillingInterval.MONTH, 1)
YEARLY = Price("price_year", "eur", BillingInterval.YEAR, 1)
PRICES = (MONTHLY, YEARLY, Price("price_week", "eur", BillingInterval.WEEK, 1),
          Price("price_day", "eur", BillingInterval.DAY, 1),
          Price("price_quarter", "eur", BillingInterval.MONTH, 3))


def month_bounds(month: str, months: int = 1) -> tuple[datetime, datetime]:
    start = at(f"{month}-01")
    year, index = divmod(start.year * 12 + start.month - 1 + months, 12)
    return start, datetime(year, index + 1, 1, tzinfo=UTC)


def line(amount: int, start: datetime, end: datetime, *, price: str = "price_month",
         item: str | None = "si_1", sub: str = "sub_1", discount: int = 0,
         proration: bool = False) -> InvoiceLine:
    return InvoiceLine(f"il_{next(_ids)}", amount, discount, start, end, price, proration,
                       sub if item else None, item)


def invoice(customer: str, paid: str | None, lines: Sequence[InvoiceLine] = (), *,
            currency: str = "eur", amount_paid: int | None = None, total: int | None = None,
            credited: int = 0, status: str | None = None, iid: str | None = None) -> Invoice:
    net = sum(item.amount - item.discount for item in lines)
    total = net if total is None else total
    return Invoice(
        id=iid or f"in_{next(_ids):06d}", customer_id=customer, currency=currency,
        status=status or ("paid" if paid else "open"),
        amount_paid=(total if paid else 0) if amount_paid is None else amount_paid,
        total=total, post_payment_credit_notes_amount=credited,
        paid_at=at(paid) if paid else None, lines=tuple(lines),
    )


def monthly_invoices(customer: str, amount: int, first: str, months: int, *,
                     item: str = "si_1", sub: str = "sub_1", pay_day: int = 1) -> list[Invoice]:
    """One paid invoice per month in advance, paid on ``pay_day`` of its period."""
    result = []
    start, _ = month_bounds(first)
    for index in range(months):
        year, month0 = divmod(start.year * 12 + start.month - 1 + index, 12)
        label = f"{year:04d}-{month0 + 1:02d}"
        period = month_bounds(label)
        result.append(invoice(customer, f"{label}-{pay_day:02d}T09:00:00",
                              [line(amount, *period, item=item, sub=sub)]))
    return result


def inputs(partners: Sequence[Partner] = (), deals: Sequence[Deal] = (),
           customers: Sequence[Customer | str] = (), invoices: Sequence[Invoice] = (),
           subscriptions: Sequence[Subscription] = (), prices: Sequence[Price] = PRICES) -> Inputs:
    return Inputs(
        partners=tuple(partners), deals=tuple(deals),
        customers=tuple(c if isinstance(c, Customer) else Customer(c) for c in customers),
        prices=tuple(prices), subscriptions=tuple(subscriptions), invoices=tuple(invoices),
    )


def run(data: Inputs, as_of: str, ledger: LedgerState | None = None,
        programme: Programme | None = None) -> Decisions:
    return decide(data, ledger or LedgerState(), at(as_of), programme or default_programme())


def amounts(decisions: Decisions) -> dict[str, int]:
    return {line.id: line.amount for line in decisions.ledger.lines}


def total(decisions: Decisions) -> int:
    return sum(line.amount for line in decisions.ledger.lines)


def status_of(decisions: Decisions, deal_id: str) -> str:
    return next(deal.status.value for deal in decisions.deals if deal.deal_id == deal_id)
