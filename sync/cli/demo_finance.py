"""The demo's finance hour in HubSpot (R33): two people edit payout records in HubSpot's
UI, then the payment job reads what they did.

- Claire Martin (user 1001, an approver) approves the largest payout waiting above the
  dual approval amount: it becomes ``pending_second_approval``; a second, different
  approver finishes it (the demo prints the command).
- Léa Petit (user 1003, sales, not an approver) approves another payout: refused,
  written back with the reason in ``vmc_status_note``, and audited.
The stand-in attributes a change to user N when it comes with the token
``pat-user-N``, as HubSpot's property history names the user who made a UI edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console

from jobs.pay import run_pay
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.cli.common import plain
from sync.domain.decisions import PayoutStatus
from sync.domain.money import eur
from sync.ledger.records import PayoutRecord
from sync.wiring import Services

APPROVER, SECOND_APPROVER, SALES = "1001", "1002", "1003"
SECOND_APPROVER_EMAIL = "hugo.bernard@vmcloud.example"


@dataclass(frozen=True, slots=True)
class FinanceHour:
    dual: PayoutRecord | None  # approved once, waits for a second approver
    refused: PayoutRecord | None  # "approved" by someone who may not


def finance_hour(services: Services, hubspot_url: str, out: Console) -> FinanceHour:
    waiting = sorted(services.ledger.list_payouts(PayoutStatus.PENDING_APPROVAL),
                     key=lambda payout: (-payout.amount, payout.id))
    dual_above = services.programme.approval.dual_above
    dual = next((p for p in waiting if dual_above is not None and p.amount > dual_above), None)
    refused = next((p for p in reversed(waiting) if p is not dual), None)
    for payout, user in ((dual, APPROVER), (refused, SALES)):
        if payout is not None:
            _approve_in_hubspot(services, hubspot_url, user, payout.id)
    plain(out, "")
    plain(out, "Finance in HubSpot: user 1001 (an approver) approves "
               f"{_label(dual)}; user 1003 (sales, not an approver) approves {_label(refused)}")
    run_pay(services).render(out)
    return FinanceHour(dual, refused)


def finance_next_steps(hour: FinanceHour, run: str) -> list[str]:
    """Commands to look at the finance hour; ``run`` is how to run ``partnersync`` here."""
    lines = []
    if hour.dual is not None:
        lines.append(f"  {run} payouts approve {hour.dual.id} --by "
                     f"{SECOND_APPROVER_EMAIL}   # R33: the second approval")
    lines += [f"  {run} partners list                # R32: Studio Pixel's account waits",
              f"  {run} audit                        # who decided what"]
    return lines


def _label(payout: PayoutRecord | None) -> str:
    return "nothing" if payout is None else f"{payout.id} ({eur(payout.amount)} EUR)"


def _approve_in_hubspot(services: Services, hubspot_url: str, user_id: str,
                        payout_id: str) -> None:
    """A HubSpot user sets the payout record's status to approved in the UI."""
    props = services.props.payout
    as_user = HubSpotGateway(f"pat-user-{user_id}", hubspot_url, services.props,
                             retry=services.retry, pacer=None, search_pacer=None)
    record = next(r for r in services.hubspot.payouts()
                  if (r.get("properties") or {}).get(props.payout_id) == payout_id)
    object_type = services.hubspot.object_type_id(props.object_name)
    as_user.update_records(object_type, [(str(record["id"]), {props.status: "approved"})])
