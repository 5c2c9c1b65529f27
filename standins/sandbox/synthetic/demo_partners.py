"""The demo's partners: a French/European programme over every tier, option and status.

Each partner is there for the rules its history exercises (comments cite them).
"""

from __future__ import annotations

from datetime import datetime

from sandbox.synthetic.clock import company_id, instant, stripe_id
from sandbox.synthetic.specs import PartnerSpec, Timeline

JOINED = instant("2024-03-04T09:30")


def _one(value: str, at: datetime = JOINED) -> Timeline:
    return ((at, value),)


def _partner(sequence: int, name: str, domain: str | None, city: str, tier: Timeline,
             code: str, *, status: Timeline | None = None, option: str = "recurring",
             account: bool = True, transfers: bool = True, own_customer: str | None = None,
             qualified: bool = True, certified: bool = False,
             joined: datetime = JOINED, account_company: int | None = None) -> PartnerSpec:
    return PartnerSpec(
        company_id=company_id(sequence), name=name, domain=domain, city=city, joined=joined,
        tier=tier, status=status or _one("active", joined), option=_one(option, joined),
        code=_one(code, joined),
        account_id=stripe_id("acct", f"demo/{name}") if account else None,
        transfers_active=transfers, own_customer_id=own_customer, interview=qualified,
        training=qualified, certified=certified,
        account_company_id=None if account_company is None else company_id(account_company),
    )


CLOUDISTRIB_OWN_CUSTOMER = stripe_id("cus", "demo/cloudistrib-own")
ALPINE_OWN_CUSTOMER = stripe_id("cus", "demo/alpine-own")


def demo_partners() -> dict[str, PartnerSpec]:
    """Key -> partner; company ids 30000000001.. in this order."""
    specs = [
        # R12 bonus, R9, R11 switch/churn/discount/late payment, monthly payouts (R21)
        ("lumiere", _partner(1, "Agence Lumière", "agence-lumiere.fr", "Lyon",
                             _one("partner"), "LUMIERE")),
        # R13 12-month window, R21 quarterly, R28 eligible for promotion to partner
        ("nuage", _partner(2, "Julien Moreau - Nuage Conseil", "nuage-conseil.fr", "Paris",
                           _one("referral"), "JMOREAU")),
        # R30 MDF, R28 stays premier (certified, 10+ active clients)
        ("rhone", _partner(3, "Infogérance Rhône-Alpes", "infogerance-ra.fr", "Grenoble",
                           _one("premier"), "RHONEMSP", certified=True)),
        # R2 reseller: no commission; R8 not applied; R29 review (eligible lower)
        ("cloudistrib", _partner(4, "Cloudistrib Europe", "cloudistrib.eu", "Bruxelles",
                                 _one("premier"), "CLOUDISTRIB", option="reseller",
                                 own_customer=CLOUDISTRIB_OWN_CUSTOMER, qualified=False)),
        # R1 promoted referral -> partner during the period; R13 window extended;
        # R32 its Connect account was onboarded for Cloudistrib's company: it waits for
        # finance's confirmation, and every payout of Pixel's is on hold until then
        ("pixel", _partner(5, "Studio Pixel Nantes", "studiopixel.fr", "Nantes",
                           ((JOINED, "referral"), (instant("2025-12-01T10:00"), "partner")),
                           "PIXEL", account_company=4)),
        # R15 flat option on the referral tier
        ("camille", _partner(6, "Camille Durand", None, "Bordeaux", _one("referral"),
                             "CAMILLE", option="flat", qualified=False)),
        # R23 suspended from July 2026: lines accrue, no payout; R5 partner_inactive
        ("websud", _partner(7, "WebSud Agence", "websud.fr", "Marseille", _one("partner"),
                            "WEBSUD", status=((JOINED, "active"),
                                              (instant("2026-07-01T08:00"), "suspended")))),
        # R23 terminated mid-May 2026: no accrual, balance paid with minimum waived
        ("breizh", _partner(8, "DevOps Breizh", "devops-breizh.fr", "Rennes", _one("partner"),
                            "BREIZH", status=((JOINED, "active"),
                                              (instant("2026-05-15T16:00"), "terminated")))),
        # R1 tier cleared in March 2026: keeps its lines; its code no longer resolves (R5)
        ("hexagone", _partner(9, "Agence Hexagone", "agence-hexagone.fr", "Lille",
                              ((JOINED, "partner"), (instant("2026-03-01T09:00"), "")),
                              "HEXAGONE")),
        # R26 no Connect account: manual payout; R8 own Stripe customer
        ("alpine", _partner(10, "Alpine Cloud Services", "alpinecloud.fr", "Annecy",
                            _one("partner"), "ALPINE", account=False,
                            own_customer=ALPINE_OWN_CUSTOMER)),
        # R2 flat option on the partner tier falls back to recurring; R26 transfers inactive
        ("toulouse", _partner(11, "Conseil Numérique Toulouse", "cn-toulouse.fr", "Toulouse",
                              _one("partner"), "CNTOULOUSE", option="flat", transfers=False)),
        # R22 small balance below the minimum, carried over
        ("kubelab", _partner(12, "Kubernetes Lab", "kubelab.io", "Montpellier",
                             _one("referral"), "KUBELAB", qualified=False)),
        # R5 ambiguous: two partners hold "digital" (case and spaces differ)
        ("digital_lyon", _partner(13, "Digital Factory Lyon", "digitalfactory-lyon.fr", "Lyon",
                                  _one("partner"), "DIGITAL")),
        ("digital_paris", _partner(14, "Digital Factory Paris", "digitalfactory.paris",
                                   "Paris", _one("referral"), " digital ")),
        # Malformed: tier "gold" is not a tier, quarantined (not a partner)
        ("gold", _partner(15, "Agence Or", "agence-or.fr", "Dijon", _one("gold"), "AGENCEOR")),
    ]
    return dict(specs)


DEMO_PARTNER_COUNT = 15
