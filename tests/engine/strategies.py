"""Hypothesis strategies: small partner programmes with their deals and Stripe billing.

No late payments: every invoice is paid before the end of the calendar month in which
its period starts, so a month's basis is final at the first run that closes it (R11).
Every property history starts at ``EPOCH``, before any data (R1's "earliest value
applies" then never depends on entries an ``--as-of`` run cannot see yet).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any, TypeVar

from hypothesis import strategies as st

from sync.config.programme_file import default_programme, programme_from_mapping
from sync.domain.history import History
from sync.domain.inputs import (
    CommissionOption,
    Customer,
    Deal,
    Inputs,
    Invoice,
    InvoiceLine,
    Partner,
    PartnerStatus,
    Subscription,
    Tier,
)
from sync.domain.months import Month, month_end, month_of, month_start
from sync.domain.terms import Programme
from tests.engine.builders import PRICES

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[Any]], Any]

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
BASE = month_of(datetime(2025, 1, 1, tzinfo=UTC))
PARTNER_IDS = ("1", "2", "3")
CODES = ("ALPHA", "BETA", " alpha ")  # " alpha " and "ALPHA" are one code (R5)
DOMAINS = (None, None, "p1.example", "www.shared.example")
EMAIL_DOMAINS = (None, "c.example", "c.example", "p1.example", "shared.example")
MONTHLY_AMOUNTS = (19999, 999, 4999, 99999, 150001, 60000, 25000, 0)  # 150001: R12 bonus

PROGRAMMES = (
    default_programme(),
    programme_from_mapping({"tiers": {  # small minimums and monthly cadence: many payouts
        "referral": {"minimum_payout": "1.00", "cadence": "monthly"},
        "partner": {"minimum_payout": "1.00"}, "premier": {"minimum_payout": "1.00"}}}),
    programme_from_mapping({"amendments": [{  # terms versioned mid-way
        "effective_from": month_start(BASE + 3),
        "tiers": {"referral": {"window_months": 3, "minimum_payout": "50.00"},
                  "partner": {"rate": "0.22", "bonus_rate": "0.08",
                              "bonus_threshold": "500.00"},
                  "premier": {"rate": "0.35"}}}]}),
)


@dataclass(frozen=True)
class World:
    """Inputs and a programme, and the months their data spans."""

    inputs: Inputs
    programme: Programme
    first_month: Month  # the first month with dated data
    end_month: Month  # the month after the last month with dated data

    @property
    def end(self) -> datetime:
        return month_start(self.end_month)

    def month_starts(self) -> list[datetime]:
        """``as_of`` of a worker run at the first instant of every month (R22)."""
        return [month_start(month) for month in range(self.first_month, self.end_month + 1)]


def _instant(month: Month, day: int, hour: int) -> datetime:
    return month_start(month) + timedelta(days=day - 1, hours=hour)


def instants(first: Month, last: Month) -> st.SearchStrategy[datetime]:
    """Few days and hours, so equal instants (R4 ties) are common."""
    return st.builds(_instant, st.integers(first, last), st.sampled_from((1, 2, 15, 28)),
                     st.sampled_from((0, 9, 23)))


@st.composite
def histories(draw: Draw, values: st.SearchStrategy[T], changes: st.SearchStrategy[T | None],
              first: Month, last: Month) -> History[T]:
    """R1: a value since ``EPOCH`` and up to two later changes."""
    later = draw(st.lists(st.tuples(instants(first, last), changes), max_size=2))
    return History(((EPOCH, draw(values)), *sorted(later, key=lambda entry: entry[0])))


@st.composite
def partners(draw: Draw, pid: str, customer_ids: Sequence[str], last: Month) -> Partner:
    """A partner; a steady one (active, recurring, always a tier) half of the time."""
    steady = draw(st.booleans())
    tiers = st.sampled_from(list(Tier))
    statuses = st.sampled_from((PartnerStatus.ACTIVE, PartnerStatus.ACTIVE,
                                PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED))
    options = st.sampled_from(list(CommissionOption))
    if steady:
        statuses, options = st.just(PartnerStatus.ACTIVE), st.just(CommissionOption.RECURRING)
    status = st.sampled_from((PartnerStatus.ACTIVE,) * 4 + (PartnerStatus.SUSPENDED,))
    return Partner(
        id=pid, name=f"Partner {pid}", domain=draw(st.sampled_from(DOMAINS)),
        tier=draw(histories(tiers, tiers if steady else st.sampled_from((*Tier, *Tier, None)),
                            BASE - 2, last)),
        status=draw(histories(statuses if steady else status, statuses, BASE - 2, last)),
        option=draw(histories(options, options, BASE - 2, last)),
        referral_code=draw(histories(st.sampled_from((f"P{pid}",) * 3 + CODES),
                                     st.sampled_from(CODES), BASE - 2, last)),
        stripe_customer_id=draw(st.sampled_from((None,) * 3 + (customer_ids[0],))),  # R8
    )


# Touches land around the customer's first payment, so R6's 90 days are tested on
# both sides, with ties (R4) and touches after conversion (R7).
TOUCH_KINDS = ((True, False), (False, True), (True, True)) * 3 + ((False, False),)
TOUCH_OFFSETS = (timedelta(0), timedelta(hours=1), timedelta(days=3), timedelta(days=30),
                 timedelta(days=60), timedelta(days=90), timedelta(days=90, seconds=1),
                 timedelta(days=150), timedelta(days=-2))


@st.composite
def touch_instants(draw: Draw, anchor: datetime | None, last: Month) -> datetime:
    if anchor is None:
        return draw(instants(BASE - 4, last))  # type: ignore[no-any-return]
    return anchor - draw(st.sampled_from(TOUCH_OFFSETS))  # type: ignore[no-any-return]


@st.composite
def deals(draw: Draw, customer_id: str | None, anchor: datetime | None,
          partners: Sequence[Partner], last: Month) -> Deal:
    """A deal with a registration, a referral-link touch, both or none (R4)."""
    registered, referred = draw(st.sampled_from(TOUCH_KINDS))
    deal = Deal(id="", stripe_customer_id=customer_id,
                company_domain=draw(st.sampled_from(DOMAINS)))
    if registered:
        partner_ids = [partner.id for partner in partners]
        deal = replace(deal, registered_by=draw(st.sampled_from((*partner_ids * 4, "9"))),
                       registered_at=draw(touch_instants(anchor, last)))
    if referred:
        codes = [partner.referral_code.entries[0][1] or "" for partner in partners]
        deal = replace(deal, referral_code=draw(st.sampled_from((*codes * 4, *CODES, "NOPE"))),
                       referral_at=draw(touch_instants(anchor, last)))
    return deal


def _paid_in_first_month(period_start: datetime, hours: int) -> datetime:
    """Paid before the end of the month its period starts in: never late (R11)."""
    limit = month_end(month_of(period_start)) - period_start
    return period_start + min(timedelta(hours=hours), limit - timedelta(seconds=1))


@st.composite
def invoices(draw: Draw, customer_id: str, item: str, sub: str, price: str,
             start: datetime, end: datetime, amount: int) -> Invoice:
    """One period's invoice: some discounts, credit notes, partial or other-currency pay."""
    discount = draw(st.sampled_from((0, 0, amount // 10)))
    lines = [InvoiceLine(f"il_{sub}_{start:%Y%m%d}", amount, discount, start, end, price,
                         False, sub, item)]
    if draw(st.integers(0, 5)) == 0:  # a proration never counts in a basis (R11)
        lines.append(InvoiceLine(f"il_{sub}_{start:%Y%m%d}_p", 777, 0, start, end, price,
                                 True, sub, item))
    total = sum(line.amount - line.discount for line in lines)
    return Invoice(
        id=f"in_{sub}_{start:%Y%m%d}", customer_id=customer_id,
        currency=draw(st.sampled_from(("eur",) * 19 + ("usd",))),
        status="paid", amount_paid=draw(st.sampled_from((total,) * 4 + (total // 3,))),
        total=total,
        post_payment_credit_notes_amount=draw(st.sampled_from((0,) * 4 + (total // 2, total))),
        paid_at=_paid_in_first_month(start, draw(st.sampled_from((0, 5, 30, 400, 900)))),
        lines=tuple(lines),
    )


Period = tuple[datetime, datetime, int]  # start, end, amount


@st.composite
def periods(draw: Draw, first: Month, last: Month, amount: int) -> tuple[str, list[Period]]:
    """Billing periods: monthly (maybe switching plan mid-month), quarterly, yearly, weekly."""
    kind = draw(st.sampled_from(("month", "month", "month", "year", "quarter", "week")))
    anchor = timedelta(days=draw(st.sampled_from((0, 0, 14))))
    if kind == "week":
        start = month_start(first) + anchor
        count = draw(st.integers(1, (month_end(last) - start).days // 7 + 1))
        week = timedelta(days=7)
        return "price_week", [(start + k * week, start + (k + 1) * week, amount // 4)
                              for k in range(count)]
    step = {"month": 1, "quarter": 3, "year": 12}[kind]
    count = 1 if kind == "year" else draw(st.integers(1, (last - first) // step + 1))
    bounds = [month_start(first + k * step) + anchor for k in range(count + 1)]
    result = [(bounds[k], bounds[k + 1], amount * step) for k in range(count)]
    if kind == "month" and count > 1 and draw(st.integers(0, 3)) == 0:
        switch = draw(st.integers(1, count - 1))  # R11: the later-starting line counts
        moved = timedelta(days=10)
        result = result[: switch + 1] + [(start + moved, end + moved, amount * 2)
                                         for start, end, _ in result[switch:]]
    return f"price_{kind}", result


@st.composite
def subscriptions(draw: Draw, customer_id: str, index: int,
                  last: Month) -> tuple[Subscription, list[Invoice]]:
    """A subscription from some month on, maybe cancelled in its last period (R11)."""
    first = draw(st.integers(BASE, last))
    price, spans = draw(periods(first, last, draw(st.sampled_from(MONTHLY_AMOUNTS))))
    sub, item = f"sub_{customer_id}_{index}", f"si_{customer_id}_{index}"
    bills = [draw(invoices(customer_id, item, sub, price, start, end, amount))
             for start, end, amount in spans]
    ended_at = None
    if draw(st.integers(0, 3)) == 0:
        ended_at = spans[-1][0] + timedelta(days=draw(st.integers(1, 40)))
    return Subscription(sub, customer_id, ended_at), bills


def _dated(data: Inputs) -> list[datetime]:
    stamps: list[datetime] = []
    for partner in data.partners:
        for history in (partner.tier, partner.status, partner.option, partner.referral_code):
            stamps.extend(stamp for stamp, _ in history.entries if stamp != EPOCH)
    for deal in data.deals:
        stamps.extend(stamp for stamp in (deal.registered_at, deal.referral_at) if stamp)
    stamps.extend(invoice.paid_at for invoice in data.invoices if invoice.paid_at)
    stamps.extend(sub.ended_at for sub in data.subscriptions if sub.ended_at)
    return stamps


@st.composite
def customers(draw: Draw, customer_id: str, partners: Sequence[Partner],
              last: Month) -> tuple[Customer, list[Deal], list[Subscription], list[Invoice]]:
    """A customer, its billing, and deals touching it around its first payment."""
    domain = draw(st.sampled_from(EMAIL_DOMAINS))
    subs, bills = [], []
    for index in range(draw(st.sampled_from((1, 1, 1, 1, 2, 0)))):
        sub, sub_bills = draw(subscriptions(customer_id, index, last))
        subs.append(sub)
        bills += sub_bills
    anchor = min((bill.paid_at for bill in bills if bill.paid_at), default=None)
    count = draw(st.sampled_from((1, 1, 1, 1, 2, 3, 0)))
    own = [draw(deals(customer_id, anchor, partners, last)) for _ in range(count)]
    return Customer(customer_id, f"ops@{domain}" if domain else None), own, subs, bills


@st.composite
def worlds(draw: Draw, max_months: int = 8) -> World:
    last = BASE + draw(st.integers(1, max_months - 1))
    customer_ids = [f"cus_{index}" for index in range(draw(st.integers(1, 6)))]
    partner_ids = PARTNER_IDS[: draw(st.integers(1, len(PARTNER_IDS)))]
    all_partners = [draw(partners(pid, customer_ids, last)) for pid in partner_ids]
    people, all_deals, subs, bills = [], [], [], []
    for customer_id in customer_ids:
        person, own, own_subs, own_bills = draw(customers(customer_id, all_partners, last))
        people.append(person)
        all_deals += own
        subs += own_subs
        bills += own_bills
    for stray in draw(st.lists(st.sampled_from((None, "cus_missing")), max_size=1)):
        all_deals.append(draw(deals(stray, None, all_partners, last)))  # R10 not_linked
    deal_ids = draw(st.lists(st.integers(1, 30), min_size=len(all_deals),
                             max_size=len(all_deals), unique=True))
    data = Inputs(
        partners=tuple(all_partners), customers=tuple(people), prices=PRICES,
        deals=tuple(replace(deal, id=str(number))
                    for deal, number in zip(all_deals, deal_ids, strict=True)),
        subscriptions=tuple(subs), invoices=tuple(bills),
    )
    months = [month_of(stamp) for stamp in _dated(data)] or [BASE]
    return World(data, draw(st.sampled_from(PROGRAMMES)), min(months), max(months) + 1)


def highest_rate(programme: Programme) -> Fraction:
    """R12: the highest rate any tier can earn, bonus included, over all term versions."""
    return max(Fraction(terms.rate + terms.bonus_rate)
               for _, version in programme.versions for terms in version.tiers.values())


def _history_until(history: History[object], as_of: datetime) -> History[object]:
    return History(tuple(entry for entry in history.entries if entry[0] <= as_of))


def cut(data: Inputs, as_of: datetime) -> Inputs:
    """The inputs without anything dated after ``as_of`` (docs/rules.md, replaying the past)."""
    partners = tuple(
        replace(partner, tier=_history_until(partner.tier, as_of),  # type: ignore[arg-type]
                status=_history_until(partner.status, as_of),  # type: ignore[arg-type]
                option=_history_until(partner.option, as_of),  # type: ignore[arg-type]
                referral_code=_history_until(partner.referral_code, as_of))  # type: ignore[arg-type]
        for partner in data.partners)
    deals = []
    for deal in data.deals:
        if deal.registered_at is not None and deal.registered_at > as_of:
            deal = replace(deal, registered_by=None, registered_at=None)
        if deal.referral_at is not None and deal.referral_at > as_of:
            deal = replace(deal, referral_code=None, referral_at=None)
        deals.append(deal)
    invoices = tuple(bill for bill in data.invoices
                     if bill.paid_at is None or bill.paid_at <= as_of)
    subscriptions = tuple(
        replace(sub, ended_at=None) if sub.ended_at is not None and sub.ended_at > as_of else sub
        for sub in data.subscriptions)
    return replace(data, partners=partners, deals=tuple(deals), invoices=invoices,
                   subscriptions=subscriptions)
