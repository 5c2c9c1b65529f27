"""R34: finance's manual lines, as the engine carries them (pure).

A manual line is a line of its own kind: paid with the partner's next payout like any
other (R22), never changed by a recompute (``reconcile`` passes it through), undone
only by another manual line. Its identity is derived from what it says -- partner,
month, amount, reason and author -- so the same command run twice adds it once.
"""

from __future__ import annotations

import hashlib

from sync.domain.decisions import CommissionLine, LineKind
from sync.domain.inputs import Tier
from sync.domain.money import Cents, eur
from sync.domain.months import Month, month_label

NO_CUSTOMER = ""  # a manual line is the partner's, not a customer's


def manual_line(partner_id: str, tier: Tier, month: Month, amount: Cents, reason: str,
                by: str) -> CommissionLine:
    digest = hashlib.sha256(f"{amount}\n{reason}\n{by}".encode()).hexdigest()[:10]
    sign = "+" if amount > 0 else ""
    explanation = (f"R34 manual line for {month_label(month)}: {sign}{eur(amount)} EUR "
                   f"by {by}: {reason}")
    return CommissionLine(
        id=f"vmcl_{partner_id}_manual_{month_label(month)}_{digest}", partner_id=partner_id,
        customer_id=NO_CUSTOMER, deal_id=None, month=month, kind=LineKind.MANUAL, tier=tier,
        rate=None, basis=0, amount=amount, explanation=explanation)
