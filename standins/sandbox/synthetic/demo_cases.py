"""Hand-placed demo cases around the partners' commission: rates, windows, billing
events and payouts. Each call cites the rules it exercises."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from sandbox.synthetic import catalog as c
from sandbox.synthetic.clock import instant
from sandbox.synthetic.demo_book import Billing, DemoBook
from sandbox.synthetic.specs import Payment

LATE = Payment(delay=timedelta(days=47, hours=5))


def lumiere_cases(book: DemoBook) -> None:
    """Agence Lumière (partner tier, 25%, monthly payouts)."""
    customer, deal = book.won("boreal", "Boréal Analytics", Billing(c.VPS_L_MONTH,
                              "2025-05-05T09:12", quantity=2), link=("LUMIERE", "2025-04-20T14:03"))
    book.note("referral-link attribution, closes 2025-05..2026-10", "R3 R4 R10 R11 R14 R21 R22",
              customer, deal)
    customer, deal = book.won("garance", "Maison Garance", Billing(c.GPU_MONTH,
                              "2025-06-10T10:40"), registration=("lumiere", "2025-06-01T11:00"))
    book.note("basis 1450.00 > 1000.00: partner rate 25% + 5 bonus points", "R12 R20",
              customer, deal)
    customer, deal = book.won("opale", "Opale Voyages", Billing(
        c.VPS_M_MONTH, "2025-07-08T08:30", quantity=2, coupon=c.WELCOME),
        link=("lumiere", "2025-07-01T16:20"))  # R5: code compared case-insensitively
    book.note("coupon -20% for 3 months: basis net of discount_amounts", "R11 R5", customer, deal)
    customer, deal = book.won("quartz", "Quartz Immobilier", Billing(
        c.DEDICATED_MONTH, "2025-09-01T07:55",
        payments={"2025-11": Payment(credited=Fraction(1))}),
        link=("LUMIERE", "2025-08-15T09:00"))
    book.note("full credit note on the 2025-11 invoice: kept ratio 0", "R18", customer, deal)
    customer, deal = book.won("sillon", "Sillon Logistique", Billing(
        c.KUBERNETES_MONTH, "2025-06-02T09:00", payments={"2026-02": LATE}),
        registration=("lumiere", "2025-05-20T15:30"))
    book.note("2026-02 invoice paid 47 days late, still counts for February", "R11",
              customer, deal)
    customer, deal = book.won("colibri", "Colibri Santé", Billing(
        c.VPS_M_MONTH, "2025-07-03T13:00", switch=("2025-12-15T10:00", c.VPS_L_YEAR)),
        link=("LUMIERE", "2025-06-10T10:00"))
    book.note("plan switch monthly -> yearly mid-month with proration credit; December "
              "counts the latest-starting line once", "R11", customer, deal)
    customer, deal = book.won("phare", "Phare Formation", Billing(
        c.VPS_L_MONTH, "2025-06-04T09:00", ended_at="2025-11-04T09:00"),
        link=("LUMIERE", "2025-05-25T12:00"))
    book.scenario.customers[-1][1].append(book.plan(customer, "phare-back", Billing(
        c.VPS_L_MONTH, "2026-03-04T09:00")))
    book.note("churn in November 2025, comeback in March 2026 inside the window", "R11 R13 R14",
              customer, deal)
    company = book.company("Écume Médias", instant("2025-10-28T09:00"))
    deal = book.deal("Écume Médias - VPS L", company, None, "2025-11-01T09:00",
                     link=("LUMIERE", "2025-11-03T09:30"))
    customer = book.customer("ecume", "Écume Médias", Billing(c.VPS_L_MONTH, "2025-11-20T10:00"),
                             deal_link=deal)
    book.note("deal linked only through the customer's metadata.hubspot_deal_id",
              "R10", customer, deal)


def protection_cases(book: DemoBook) -> None:
    """R9 and R4 orderings, on sibling deals of one customer."""
    customer = book.customer("granit", "Granit Robotique", Billing(c.DEDICATED_MONTH,
                             "2025-10-01T09:00"))
    company = book.company("Granit Robotique", book.scenario.customers[-1][0].created)
    registered = book.deal("Granit Robotique - dédié", company, customer, "2025-09-02T10:00",
                           registration=("lumiere", "2025-09-02T10:00"))
    linked = book.deal("Granit Robotique - via WebSud", company, customer, "2025-09-20T10:00",
                       link=("WEBSUD", "2025-09-20T17:45"))
    book.note("R9: Lumière's registration protects against WebSud's later link; the sibling "
              "deal is attributed too", "R9 R4 R10", customer, registered, linked)
    customer = book.customer("mistral", "Mistral Games", Billing(c.VPS_L_MONTH,
                             "2025-10-20T09:00", quantity=3))
    company = book.company("Mistral Games", book.scenario.customers[-1][0].created)
    first = book.deal("Mistral Games - lien", company, customer, "2025-10-10T09:00",
                      link=("LUMIERE", "2025-10-10T10:00"))
    second = book.deal("Mistral Games - enregistrement", company, customer, "2025-10-10T09:05",
                       registration=("alpine", "2025-10-10T10:00"))
    book.note("exact tie: the registration comes before the link (Alpine wins)", "R4",
              customer, first, second)
    customer = book.customer("vauban", "Vauban Assurances", Billing(c.KUBERNETES_MONTH,
                             "2025-06-20T09:00"))
    company = book.company("Vauban Assurances", book.scenario.customers[-1][0].created)
    old = book.deal("Vauban Assurances - 2025", company, customer, "2025-02-10T09:00",
                    registration=("alpine", "2025-02-10T09:00"))
    new = book.deal("Vauban Assurances - K8s", company, customer, "2025-06-01T09:00",
                    link=("LUMIERE", "2025-06-01T11:00"))
    book.note("registration older than 90 days no longer protects: the later link wins",
              "R6 R9 R4", customer, old, new)


def referral_cases(book: DemoBook) -> None:
    """Referral tier: 20%, 12-month window, quarterly payouts, 100.00 minimum; flat."""
    ids = [*book.won("lagune", "Lagune Data", Billing(c.VPS_M_MONTH, "2025-05-12T10:00",
                     quantity=3), link=("JMOREAU", "2025-04-28T18:00"))]
    book.note("12-month window: lines 2025-05..2026-04 only", "R13 R21 R22", *ids)
    for key, name, start, price in (("cedre", "Cèdre Bio", "2025-08-10T09:00", c.VPS_L_MONTH),
                                    ("hermine", "Hermine Conseil", "2025-12-15T09:00",
                                     c.DEDICATED_MONTH)):
        ids += book.won(key, name, Billing(price, start), link=("JMOREAU", start[:8] + "01"))
    ids += book.won("vertige", "Vertige Studio", Billing(c.VPS_M_YEAR, "2026-03-05T09:00"),
                    registration=("nuage", "2026-03-01T09:00"))
    book.note("yearly subscription: 490.00 / 12 per month; 4 referred clients and "
              "qualified: eligible for the partner tier", "R11 R27 R28 R29", *ids[-2:])
    ids = [*book.won("ardoise", "Ardoise Éditions", Billing(c.VPS_L_MONTH, "2025-06-01T09:00",
                     quantity=2), link=("PIXEL", "2025-05-15T09:00"))]
    ids += book.won("sirocco", "Sirocco Mobilité", Billing(c.GPU_BURST_WEEK, "2025-09-15T08:00"),
                    link=("PIXEL", "2025-09-10T09:00"))
    book.note("promoted referral -> partner on 2025-12-01: window extends to 24 months, "
              "cadence monthly; a weekly subscription (x 52/12)", "R1 R11 R13 R21", *ids)
    ids = []
    for key, name, start, credited in (
            ("aubepine", "Aubépine Conseil", "2025-06-20T09:00", Fraction(0)),
            ("celeste", "Céleste Énergie", "2025-09-12T09:00", Fraction(0)),
            ("nacre", "Nacre Bio", "2025-10-10T09:00", Fraction(1))):
        payments = {start[:7]: Payment(credited=credited)}
        ids += book.won(key, name, Billing(c.VPS_M_MONTH, start, payments=payments),
                        link=("CAMILLE", start[:8] + "02"))
    book.note("flat 100.00 per converted customer; Nacre Bio's conversion is fully "
              "credited so it earns no flat line", "R2 R15 R18", *ids)
    ids = [*book.won("granit-games", "Granit Games", Billing(c.VPS_S_MONTH, "2025-10-05T09:00"),
                     link=("KUBELAB", "2025-10-01T09:00"))]
    book.note("3.80 a month: quarterly balance below 100.00 carries over", "R21 R22", *ids)
