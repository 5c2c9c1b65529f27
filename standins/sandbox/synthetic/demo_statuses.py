"""Hand-placed demo cases around partner status, the premier tier, every R10 status
and the malformed records the mapping must quarantine."""

from __future__ import annotations

from fractions import Fraction

from sandbox.synthetic import catalog as c
from sandbox.synthetic.clock import instant, stripe_id
from sandbox.synthetic.demo_book import Billing, DemoBook
from sandbox.synthetic.demo_partners import ALPINE_OWN_CUSTOMER, CLOUDISTRIB_OWN_CUSTOMER
from sandbox.synthetic.specs import Payment

MISSING_CUSTOMER = stripe_id("cus", "demo/deleted-long-ago")
RHONE_CLIENTS = (
    ("Dauphiné Transports", c.DEDICATED_MONTH, 1), ("Vercors Outdoor", c.VPS_L_MONTH, 2),
    ("Chartreuse Distillerie", c.VPS_M_MONTH, 3), ("Isère Habitat", c.KUBERNETES_MONTH, 1),
    ("Belledonne Ski", c.VPS_L_MONTH, 1), ("Alpes Biotech", c.DEDICATED_MONTH, 1),
    ("Grésivaudan Industrie", c.VPS_M_MONTH, 2), ("Oisans Tourisme", c.VPS_S_MONTH, 4),
)


def premier_cases(book: DemoBook) -> None:
    """Infogérance Rhône-Alpes (premier, permanent window, MDF) and Cloudistrib (reseller)."""
    ids: list[str] = []
    for index, (name, price, quantity) in enumerate(RHONE_CLIENTS):
        start = f"2025-{5 + index % 6:02d}-{3 + index:02d}T09:00"
        ids += book.won(f"rhone-{index}", name, Billing(price, start, quantity=quantity),
                        registration=("rhone", f"2025-{5 + index % 6:02d}-01T08:00"))
    ids += book.won("rhone-yearly", "Savoie Hôtellerie", Billing(c.VPS_L_YEAR,
                    "2025-06-16T09:00", quantity=2), registration=("rhone", "2025-06-02T08:00"))
    ids += book.won("rhone-credit", "Léman Courtage", Billing(
        c.DEDICATED_MONTH, "2025-07-07T09:00",
        payments={"2026-04": Payment(credited=Fraction(1, 2))}),
        registration=("rhone", "2025-07-01T08:00"))
    ids += book.won("rhone-upgrade", "Annecy Numérique", Billing(
        c.VPS_M_MONTH, "2025-08-04T09:00", quantity=2,
        switch=("2026-02-14T12:00", c.VPS_L_MONTH)), registration=("rhone", "2025-08-01T08:00"))
    book.note("premier 30% permanent window, MDF 5% per customer-month, 11 active clients: "
              "eligible premier; a yearly plan, a partial credit note (2026-04), a same-"
              "interval upgrade invoiced with prorations", "R11 R13 R18 R27 R28 R30", *ids)
    company = book.company("Cloudistrib Europe (revente)", instant("2025-06-18T09:00"),
                           "billing.cloudistrib.eu", "Bruxelles")
    own = book.customer("cloudistrib-own", "Cloudistrib Europe", Billing(
        c.DEDICATED_MONTH, "2025-07-01T09:00", quantity=3), email_domain="cloudistrib.eu",
        customer_id=CLOUDISTRIB_OWN_CUSTOMER)
    deal = book.deal("Cloudistrib - revente dédiés", company, own, "2025-06-20T09:00",
                     registration=("cloudistrib", "2025-06-20T09:00"))
    ids = list(book.won("cloudistrib-client", "Nacre Commerce", Billing(c.VPS_L_MONTH,
                    "2025-09-09T09:00"), registration=("cloudistrib", "2025-09-01T09:00")))
    book.note("reseller option: attributed, no commission; R8 not applied to the partner's "
              "own customer; eligible lower than premier: R29 review", "R2 R8 R29",
              own, deal, *ids)


def status_cases(book: DemoBook) -> None:
    """Suspended, terminated, cleared, manual payout, failing transfers (R23, R26)."""
    ids = [*book.won("garance-immo", "Garance Immobilier", Billing(c.DEDICATED_MONTH,
                     "2025-06-15T09:00", quantity=2), link=("WEBSUD", "2025-06-01T09:00"))]
    ids += book.won("websud-late", "Azur Commerce", Billing(c.VPS_M_MONTH, "2026-08-10T09:00"),
                    link=("WEBSUD", "2026-08-01T09:00"))
    book.note("suspended from 2026-07: lines accrue, no payout; a touch while suspended is "
              "partner_inactive", "R23 R5 R10", *ids)
    ids = [*book.won("ecume-logistique", "Écume Logistique", Billing(c.KUBERNETES_MONTH,
                     "2025-06-20T09:00"), registration=("breizh", "2025-06-10T09:00"))]
    ids += book.won("breizh-late", "Brest Marine", Billing(c.VPS_L_MONTH, "2026-06-20T09:00"),
                    link=("BREIZH", "2026-06-10T09:00"))
    book.note("terminated 2026-05-15: no line for May on, balance paid with the minimum "
              "waived; a later touch is partner_inactive", "R23 R5 R10", *ids)
    ids = [*book.won("opale-sante", "Opale Santé", Billing(c.VPS_L_MONTH, "2025-07-10T09:00",
                     quantity=3), link=("HEXAGONE", "2025-07-01T09:00"))]
    ids += book.won("hexagone-late", "Lille Optique", Billing(c.VPS_M_MONTH,
                    "2026-05-10T09:00"), link=("HEXAGONE", "2026-05-01T09:00"))
    book.note("tier cleared 2026-03: earlier lines kept; its code then resolves to no "
              "partner", "R1 R5 R10", *ids)
    ids = [*book.won("quartz-data", "Quartz Data", Billing(c.DEDICATED_MONTH,
                     "2025-08-20T09:00", quantity=2), registration=("alpine", "2025-08-01T09:00"))]
    book.note("no Connect account: payouts are manual", "R26", *ids)
    ids = [*book.won("colibri-editions", "Colibri Éditions", Billing(c.DEDICATED_MONTH,
                     "2025-09-05T09:00"), registration=("toulouse", "2025-09-01T09:00"))]
    book.note("flat option on the partner tier falls back to recurring; its Connect account "
              "cannot receive transfers", "R2 R26", *ids)


def attribution_failures(book: DemoBook) -> None:
    """Every other R10 status, each on its own customer."""
    ids = book.won("lumiere-internal", "Agence Lumière (hébergement interne)", Billing(
        c.VPS_M_MONTH, "2025-08-05T09:00"), link=("LUMIERE", "2025-08-01T09:00"),
        email_domain="agence-lumiere.fr")
    book.note("self-referral: customer e-mail domain is the partner's", "R8", *ids)
    ids = book.won("websud-self", "WebSud Hébergement", Billing(c.VPS_L_MONTH,
                   "2025-07-10T09:00"), link=("WEBSUD", "2025-07-01T09:00"),
                   domain="www.websud.fr", email_domain="gmail.com")
    book.note("self-referral: the deal's company domain (www. ignored)", "R8", *ids)
    company = book.company("Alpine Cloud Services (interne)", instant("2025-05-20T09:00"))
    own = book.customer("alpine-own", "Alpine Cloud Services", Billing(
        c.VPS_L_MONTH, "2025-06-03T09:00"), email_domain="gmail.com",
        customer_id=ALPINE_OWN_CUSTOMER)
    deal = book.deal("Alpine - serveurs internes", company, own, "2025-05-28T09:00",
                     link=("ALPINE", "2025-05-28T09:00"))
    book.note("self-referral: the partner's own Stripe customer", "R8", own, deal)
    book.note("unknown partner code", "R5 R10", *book.won("promo", "Hexa Formation", Billing(
        c.VPS_S_MONTH, "2025-09-09T09:00"), link=("PROMO2025", "2025-09-01T09:00")))
    book.note("ambiguous code: 'Digital' is held by two partners", "R5 R10", *book.won(
        "digital", "Vertige Data", Billing(c.VPS_M_MONTH, "2025-11-10T09:00"),
        link=("Digital", "2025-11-01T09:00")))
    book.note("expired: link 122 days before conversion", "R6 R10", *book.won(
        "expired", "Lagune Voyages", Billing(c.VPS_M_MONTH, "2025-07-01T09:00"),
        link=("JMOREAU", "2025-03-01T09:00")))
    customer = book.customer("existing", "Sirocco Assurances", Billing(c.VPS_L_MONTH,
                             "2025-05-06T09:00"))
    company = book.company("Sirocco Assurances", instant("2025-04-01T09:00"))
    deal = book.deal("Sirocco Assurances - infogérance", company, customer, "2025-10-01T09:00",
                     registration=("rhone", "2025-10-01T09:00"))
    book.note("existing customer: paying since 2025-05, registered in 2025-10", "R7 R10",
              customer, deal)
    book.note("USD-only customer", "R19 R10", *book.won("usd", "Boreal Labs Inc.", Billing(
        c.VPS_M_USD, "2025-08-12T15:00"), link=("LUMIERE", "2025-08-01T09:00")))
    book.note("signed up, first invoice never paid", "R3 R10", *book.won(
        "unpaid", "Granit Conseil", Billing(c.VPS_M_MONTH, "2026-09-14T09:00",
                                            ended_at="2026-10-14T09:00",
                                            payments={"2026-09": Payment(status="open")}),
        link=("LUMIERE", "2026-09-01T09:00")))
    direct = book.customer("direct", "Hermine Voyages", Billing(c.VPS_M_MONTH,
                           "2025-06-09T09:00"))
    company = book.company("Hermine Voyages", instant("2025-05-25T09:00"))
    book.note("direct: a deal without any touch", "R10", direct,
              book.deal("Hermine Voyages - VPS", company, direct, "2025-05-26T09:00"))
    book.note("not linked: no customer, and a customer that does not exist", "R10",
              book.deal("Phare Conseil - projet GPU", None, None, "2026-06-01T09:00",
                        registration=("lumiere", "2026-06-01T09:00"), stage="contractsent"),
              book.deal("Ancien client (supprimé)", None, MISSING_CUSTOMER, "2024-11-02T09:00"))
