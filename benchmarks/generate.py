"""A large, realistic, seeded programme for the engine benchmark.

Each customer bills for ``months`` months, starting in one of the first twelve months of
the timeline (so conversions, R13 windows and R21 payout points are spread out). About
30% are partner-sourced through a deal with a touch (R4-R8), some of which fail. The
domain objects are built directly; datetimes are shared through a cache and repeated
strings are shared, so 2.4 million invoice lines fit in memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
    Tier,
)
from sync.domain.months import Month, month_of, month_start

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
START: Month = month_of(datetime(2024, 1, 1, tzinfo=UTC))
STAGGER = 12  # customers start billing in one of the first STAGGER months
PLAN_PRICES = (1900, 4900, 4900, 9900, 9900, 24900, 49900, 129900)  # cents a month
PRICES = (
    Price("price_month", "eur", BillingInterval.MONTH, 1),
    Price("price_year", "eur", BillingInterval.YEAR, 1),
    Price("price_addon", "eur", BillingInterval.MONTH, 1),
)


@dataclass(frozen=True, slots=True)
class Scale:
    customers: int = 100_000
    months: int = 24
    seed: int = 2024

    @property
    def partners(self) -> int:
        return max(3, self.customers // 50)

    @property
    def as_of(self) -> datetime:
        """The first instant after every generated month: all of them are closed."""
        return month_start(START + STAGGER + self.months)


class Clock:
    """Shares one datetime object per distinct instant (millions of invoice fields)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[Month, int], datetime] = {}

    def at(self, month: Month, hours: int = 0) -> datetime:
        key = (month, hours)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = month_start(month) + timedelta(hours=hours)
        return found


def _history(entries: list[tuple[datetime, object]]) -> History[object]:
    return History(tuple(sorted(entries, key=lambda entry: entry[0])))


def _partner(index: int, rng: random.Random, clock: Clock, last: Month) -> Partner:
    """Tiers 60/30/10%; some promotions, suspensions and terminations over time (R1)."""
    pid = str(1000 + index)
    tier = rng.choices(list(Tier), weights=(60, 30, 10))[0]
    tiers: list[tuple[datetime, object]] = [(EPOCH, tier)]
    if tier is not Tier.PREMIER and rng.random() < 0.1:
        promoted = Tier.PREMIER if tier is Tier.PARTNER else Tier.PARTNER
        tiers.append((clock.at(rng.randint(START, last), rng.randint(0, 500)), promoted))
    statuses: list[tuple[datetime, object]] = [(EPOCH, PartnerStatus.ACTIVE)]
    if rng.random() < 0.06:
        status = rng.choice((PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED))
        statuses.append((clock.at(rng.randint(START + 6, last), 30), status))
    option = CommissionOption.RECURRING
    if tier is Tier.REFERRAL and rng.random() < 0.15:
        option = CommissionOption.FLAT
    elif tier is Tier.PREMIER and rng.random() < 0.2:
        option = CommissionOption.RESELLER
    return Partner(
        id=pid, name=f"Partner {pid}", domain=f"partner{pid}.example",
        tier=_history(tiers), status=_history(statuses),  # type: ignore[arg-type]
        option=History.constant(option, EPOCH), referral_code=History.constant(f"P{pid}", EPOCH),
        stripe_account_id=f"acct_{pid}" if rng.random() < 0.8 else None,
    )


@dataclass(slots=True)
class _Billing:
    """One customer's plan, shared by all its invoices."""

    customer_id: str
    first: Month
    amount: int
    yearly: bool
    addon: int  # 0: no add-on item
    discount_months: int  # the first months bill with a 20% discount
    currency: str


def _line(line_id: str, amount: int, discount: int, start: datetime, end: datetime,
          price: str, sub: str, item: str) -> InvoiceLine:
    return InvoiceLine(line_id, amount, discount, start, end, price, False, sub, item)


def _invoices(plan: _Billing, months: int, rng: random.Random, clock: Clock) -> list[Invoice]:
    cid = plan.customer_id
    sub, item, addon_item = f"sub_{cid}", f"si_{cid}", f"si_{cid}_addon"
    step = 12 if plan.yearly else 1
    price = "price_year" if plan.yearly else "price_month"
    result = []
    for index, month in enumerate(range(plan.first, plan.first + months, step)):
        start, end = clock.at(month), clock.at(month + step)
        discount = plan.amount // 5 if month - plan.first < plan.discount_months else 0
        lines = [_line(f"il_{cid}_{index}", plan.amount, discount, start, end, price, sub, item)]
        if plan.addon:
            lines.append(_line(f"il_{cid}_{index}a", plan.addon, 0, start, end,
                               "price_addon", sub, addon_item))
        total = sum(line.amount - line.discount for line in lines)
        paid = rng.random() >= 0.005  # a few stay open
        credited = total // 2 if paid and rng.random() < 0.01 else 0  # R18 credit notes
        result.append(Invoice(
            f"in_{cid}_{index}", cid, plan.currency, "paid" if paid else "open",
            total if paid else 0, total, credited,
            clock.at(month, rng.randint(0, 47)) if paid else None, tuple(lines),
        ))
    return result


def _plan(customer_id: str, rng: random.Random) -> _Billing:
    yearly = rng.random() < 0.05
    amount = rng.choice(PLAN_PRICES) * (10 if yearly else 1)
    addon = rng.choice((500, 1500)) if not yearly and rng.random() < 0.05 else 0
    return _Billing(
        customer_id, START + rng.randrange(STAGGER), amount, yearly, addon,
        3 if rng.random() < 0.05 else 0, "usd" if rng.random() < 0.005 else "eur",
    )


def _deal(deal_id: int, customer: Customer, converted: datetime, partners: list[Partner],
          rng: random.Random) -> Deal:
    """A touch before conversion: registrations and referral codes, some failing (R5-R7)."""
    partner = rng.choice(partners)
    days = rng.choice((1, 3, 7, 14, 30, 45, 60, 89, 120))  # 120 days: R6 expired
    if rng.random() < 0.05:
        days = -5  # after conversion: R7 existing customer
    touched = converted - timedelta(days=days, hours=rng.randint(0, 23))
    if rng.random() < 0.5:
        by = partner.id if rng.random() > 0.02 else "999999"  # R5 unknown partner
        return Deal(str(deal_id), f"Deal {deal_id}", customer.id, registered_by=by,
                    registered_at=touched)
    code = f" p{partner.id} " if rng.random() > 0.03 else "NOCODE"  # R5 trimmed, any case
    return Deal(str(deal_id), f"Deal {deal_id}", customer.id, referral_code=code,
                referral_at=touched)


def generate(scale: Scale) -> Inputs:
    rng, clock = random.Random(scale.seed), Clock()
    last = START + STAGGER + scale.months - 1
    partners = [_partner(index, rng, clock, last) for index in range(scale.partners)]
    customers, deals, invoices = [], [], []
    for index in range(scale.customers):
        cid = f"cus_{index:06d}"
        sourced = rng.random() < 0.3
        domain = rng.choice(partners).domain if sourced and rng.random() < 0.01 else None
        customer = Customer(cid, f"billing@{domain or f'c{index}.example'}")  # R8 sometimes
        customers.append(customer)
        bills = _invoices(_plan(cid, rng), scale.months, rng, clock)
        invoices += bills
        if sourced:
            converted = min(bill.paid_at for bill in bills if bill.paid_at) if any(
                bill.paid_at for bill in bills) else clock.at(START)
            for extra in range(1 + (rng.random() < 0.1)):  # sibling deals (R4)
                deals.append(_deal(2 * index + extra + 1, customer, converted, partners, rng))
    return Inputs(partners=tuple(partners), deals=tuple(deals), customers=tuple(customers),
                  prices=PRICES, invoices=tuple(invoices))
