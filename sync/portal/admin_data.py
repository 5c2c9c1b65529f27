"""What the admin view shows, from the ledger and the report's own functions: the
programme report of a closed month, live (``sync.report``, R31), partners' payout
destinations and holds (R32, R35), and payouts waiting for approval (R25, R33) with who
must approve them and the command that does it. No figure is derived here: amounts,
statuses and reasons are the ledger's, KPIs and charts the report's."""

from __future__ import annotations

import shlex
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from mappings.hubspot import partners_from_companies
from mappings.properties import PropertyMap
from sync.domain.decisions import Decisions, PayoutStatus
from sync.domain.inputs import Inputs, Partner, Tier
from sync.domain.months import Month, parse_month_label
from sync.domain.terms import ApprovalTerms
from sync.engine.decide import decide
from sync.ledger import PayoutRecord
from sync.ledger.mirror import Mirror
from sync.ledger.records import PartnerControl
from sync.pull.mirror_inputs import Mirrored, inputs_from_mirror
from sync.report.data import ReportData, build_report
from sync.wiring import Services

COMMAND = "partnersync"
WAITING = (PayoutStatus.PENDING_APPROVAL, PayoutStatus.PENDING_SECOND_APPROVAL)


@dataclass(frozen=True, slots=True)
class LastSync:
    run_id: int
    inputs: Inputs
    decisions: Decisions


class LastSyncCache:
    """The last recorded sync's inputs and decisions, decided again once per sync (as
    ``partnersync report`` does on each call) and shared by every request of the
    process; payouts and findings are read from the ledger at each request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: LastSync | None = None

    def get(self, services: Services) -> LastSync | None:
        """``None`` until a sync has recorded its decisions."""
        latest = services.ledger.latest_sync()
        if latest is None:
            return None
        with self._lock:
            if self._last is None or self._last.run_id != latest.id:
                inputs = inputs_from_mirror(services.mirror, services.props)
                decisions = decide(inputs, services.ledger.load_state(), latest.as_of,
                                   services.programme)
                self._last = LastSync(latest.id, inputs, decisions)
            return self._last


def first_month(last: LastSync) -> Month:
    """The earliest month the ledger knows anything of (MRR or a payable line), as the
    report's "By month" table starts; the last closed month when there is nothing."""
    decisions = last.decisions
    known = [row.month for row in decisions.monthly]
    known += [line.payable_month for line in decisions.ledger.lines]
    return min([*known, decisions.last_closed_month])


def month_shown(text: str | None, last: LastSync) -> Month | str:
    """The month ``?month=`` asks for (default: the last closed one), or why it cannot be
    shown: not YYYY-MM (strictly, ``parse_month_label``), not closed at the last sync
    (as ``report --month`` refuses), or before the first month with data (the picker
    lists only months the ledger knows)."""
    closed = last.decisions.last_closed_month
    if not text:
        return closed
    try:
        month = parse_month_label(text)
    except ValueError:
        return "malformed"
    if month > closed:
        return "open"
    return "before" if month < first_month(last) else month


def report_of(services: Services, last: LastSync, month: Month, now: datetime) -> ReportData:
    """The report of ``month``, with payouts and findings as the ledger holds them now."""
    ledger = services.ledger
    return build_report(last.inputs, last.decisions, ledger.findings(), month,
                        services.programme, ledger.list_payouts(), now)


# -- partners: destinations and holds (R32, R35) ---------------------------------------


def partners_read(mirror: Mirror, props: PropertyMap) -> list[Partner]:
    """The partners as the last run read them from HubSpot, by id."""
    companies = (mirror.records(Mirrored.HUBSPOT_PARTNER)
                 + mirror.records(Mirrored.HUBSPOT_COMPANY))
    partners, _ = partners_from_companies(companies, props)
    return sorted(partners, key=lambda partner: partner.id)


@dataclass(frozen=True, slots=True)
class PartnerRow:
    partner: Partner
    tier: Tier | None  # today's
    control: PartnerControl
    held: tuple[PayoutRecord, ...]  # its payouts on hold now
    commands: tuple[str, ...]  # what finance runs to end the partner's holds

    @property
    def held_amount(self) -> int:
        return sum(payout.amount for payout in self.held)


def partner_commands(control: PartnerControl, by: str) -> tuple[str, ...]:
    """R32: confirm the account HubSpot shows; R35: release finance's partner hold."""
    commands = []
    if control.waiting_reason and control.waiting_account:
        commands.append(f"{COMMAND} partners confirm-destination "
                        f"{shlex.quote(control.partner_id)} "
                        f"{shlex.quote(control.waiting_account)} --by {shlex.quote(by)}")
    if control.finance_hold:
        commands.append(f"{COMMAND} partners release {shlex.quote(control.partner_id)} "
                        f"--by {shlex.quote(by)}")
    return tuple(commands)


def partner_rows(partners: Iterable[Partner], controls: Mapping[str, PartnerControl],
                 payouts: Iterable[PayoutRecord], now: datetime, by: str) -> list[PartnerRow]:
    """Every partner read, holds first; ``by``: the signed-in admin, named in commands."""
    held: dict[str, list[PayoutRecord]] = {}
    for payout in payouts:
        if payout.status is PayoutStatus.ON_HOLD:
            held.setdefault(payout.partner_id, []).append(payout)
    rows = []
    for partner in partners:
        control = controls.get(partner.id) or PartnerControl(partner.id)
        rows.append(PartnerRow(partner, partner.tier.at(now), control,
                               tuple(held.get(partner.id, ())),
                               partner_commands(control, by)))
    return sorted(rows, key=lambda row: (not (row.control.hold_reasons or row.held),
                                         row.partner.id))


# -- payouts waiting for approval (R25, R33) -------------------------------------------


@dataclass(frozen=True, slots=True)
class Approval:
    """A payout waiting for finance, and whose word it waits for."""

    payout: PayoutRecord
    partner_name: str
    two_needed: bool  # above [approval] dual_above (R33)
    first_by: str | None  # the first approver, when one approved already
    yours_given: bool  # the signed-in admin gave the first approval
    command: str | None  # None: the signed-in admin may not give the next approval


def _same_person(recorded: str, by: str) -> bool:
    """``recorded`` (an operator's name, or "HubSpot user 1001 (email)") is ``by``."""
    recorded, by = recorded.casefold(), by.casefold()
    return recorded == by or recorded.endswith(f"({by})")


def approvals(payouts: Iterable[PayoutRecord], names: Mapping[str, str],
              terms: ApprovalTerms, by: str) -> list[Approval]:
    """Payouts in ``pending_approval`` or ``pending_second_approval``, oldest period first."""
    waiting = sorted((payout for payout in payouts if payout.status in WAITING),
                     key=lambda payout: (payout.month, payout.id))
    found = []
    for payout in waiting:
        second = payout.status is PayoutStatus.PENDING_SECOND_APPROVAL
        first_by = payout.approved_by if second else None
        yours = first_by is not None and _same_person(first_by, by)
        command = None if yours else (f"{COMMAND} payouts approve {shlex.quote(payout.id)} "
                                      f"--by {shlex.quote(by)}")
        found.append(Approval(payout, names.get(payout.partner_id, ""),
                              second or terms.needs_two(payout.amount), first_by, yours,
                              command))
    return found


def held_payouts(payouts: Iterable[PayoutRecord]) -> list[PayoutRecord]:
    """Payouts on hold: none of them can be approved until released (R35)."""
    return sorted((payout for payout in payouts if payout.status is PayoutStatus.ON_HOLD),
                  key=lambda payout: (payout.month, payout.id))
