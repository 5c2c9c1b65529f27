"""One summary per job run: counts for the canonical log line, and a readable table.

Quarantined records are listed with their reasons (bad input never vanishes), and the
API retries and 429s this run caused are read from the metrics registry.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import Counter as Counter_
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sync.domain.inputs import Quarantined
from sync.runtime.metrics import (
    AMOUNT_EUR,
    API_RETRIES,
    LINES,
    PAYOUTS,
    QUARANTINED,
    RATE_LIMITED,
    RUN_SECONDS,
    RUNS,
)

SOURCES = ("hubspot", "stripe")
RUN_OUTCOMES = ("succeeded", "skipped", "failed", "stopped")
LINE_ACTIONS = ("created", "replaced", "voided")
PAYOUT_EVENTS = ("created", "paid", "failed", "manual_pending")


def start_series(jobs: tuple[str, ...]) -> None:
    """Every label set a run records, at 0, before the first run (``serve`` calls it):
    Prometheus sees a counter's increase only from an earlier sample, so a series born
    at 1 -- the first failed payout, the first 429 -- would never alert."""
    for job in jobs:
        for outcome in RUN_OUTCOMES:
            RUNS.labels(job_name=job, outcome=outcome)
        RUN_SECONDS.labels(job_name=job)
    for api in SOURCES:
        RATE_LIMITED.labels(api=api)
    for action in LINE_ACTIONS:
        LINES.labels(action=action)
    for status in PAYOUT_EVENTS:
        PAYOUTS.labels(status=status)
    for kind in ("accrued", "reversed", "paid"):
        AMOUNT_EUR.labels(kind=kind)


def _by_reason(title: str, items: dict[str, str]) -> Table:
    """Records grouped by why: a partner's ten held payouts share one reason."""
    grouped: dict[str, list[str]] = {}
    for record_id, why in sorted(items.items()):
        grouped.setdefault(why, []).append(record_id)
    listing = Table(title=title)
    listing.add_column("records")
    listing.add_column("why")
    for why, record_ids in grouped.items():
        listing.add_row(Text("\n".join(record_ids)), Text(why))
    return listing


def counter_total(counter: Counter_) -> float:
    """The sum of a labelled prometheus counter over all its labels."""
    return float(sum(sample.value for metric in counter.collect() for sample in metric.samples
                     if sample.name.endswith("_total")))


@dataclass(frozen=True, slots=True)
class ApiUsage:
    """Retries and 429s, as a baseline taken at the start of a run."""

    retries: float = field(default_factory=lambda: counter_total(API_RETRIES))
    rate_limited: float = field(default_factory=lambda: counter_total(RATE_LIMITED))

    def since(self) -> tuple[int, int]:
        return (int(counter_total(API_RETRIES) - self.retries),
                int(counter_total(RATE_LIMITED) - self.rate_limited))


@dataclass
class RunSummary:
    job: str
    as_of: datetime
    dry_run: bool = False
    outcome: str = "succeeded"  # one of RUN_OUTCOMES
    read: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    quarantined: list[Quarantined] = field(default_factory=list)
    decided: bool = False  # the engine ran: ``quarantined`` is the whole portal's
    reused_decision: int | None = None  # the run whose decision nothing since has changed
    lines: dict[str, int] = field(default_factory=dict)  # created, replaced, voided
    payouts_created: int = 0
    accrued_cents: int = 0  # net change of accrued commission (created, replaced, voided)
    paid_cents: int = 0  # transferred by this run (R26)
    finance_transitions: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # HubSpot moves refused (R32, R33)
    held: dict[str, str] = field(default_factory=dict)  # payouts on hold -> why (R32, R35)
    edited: dict[str, str] = field(default_factory=dict)  # records edited in HubSpot, reverted
    transfers: int = 0
    payment_failures: int = 0
    manual_payouts: int = 0
    writes_planned: int = 0
    writes_sent: int = 0
    writes_failed: int = 0
    retries: int = 0
    rate_limited: int = 0
    reviews: int = 0
    unrecovered: int = 0
    webhook_events: int = 0  # a targeted sync: the pending events it took
    seconds: float = 0.0
    error: str | None = None

    def count_changes(self, actions: list[str]) -> None:
        self.lines = dict(Counter(actions))

    def record_metrics(self) -> None:
        """The run's counts into the Prometheus registry that ``serve`` exposes. The
        quarantine gauge keeps the last decision's count through runs that decide
        nothing (the payment job, a sync that failed before deciding)."""
        if self.decided:
            for source in SOURCES:
                QUARANTINED.labels(source=source).set(
                    sum(1 for item in self.quarantined if item.source == source))
        for action, count in self.lines.items():
            LINES.labels(action=action).inc(count)
        for status, count in zip(PAYOUT_EVENTS, (self.payouts_created, self.transfers,
                                                 self.payment_failures, self.manual_payouts),
                                 strict=True):
            PAYOUTS.labels(status=status).inc(count)
        # A counter only grows: a run that voided more than it accrued (refunds) counts
        # its net change as reversed, so accrued - reversed is the net over any window.
        net = "accrued" if self.accrued_cents >= 0 else "reversed"
        AMOUNT_EUR.labels(kind=net).inc(abs(self.accrued_cents) / 100)
        AMOUNT_EUR.labels(kind="paid").inc(self.paid_cents / 100)

    def log_fields(self) -> dict[str, Any]:
        """The canonical log line: counts only, never records' contents."""
        fields = asdict(self)
        fields["as_of"] = self.as_of.isoformat()
        fields["quarantined"] = len(self.quarantined)
        fields["quarantined_by_source"] = dict(Counter(q.source for q in self.quarantined))
        fields["refused"], fields["held"] = len(self.refused), len(self.held)
        fields["edited"] = len(self.edited)
        return fields

    def log(self, logger: Any, event: str) -> None:
        """The canonical line at the level the outcome deserves: error for a failed or
        stopped run, warning for one that finished with failed writes or payments."""
        level = "info"
        if self.outcome not in ("succeeded", "skipped"):
            level = "error"
        elif self.writes_failed or self.payment_failures:
            level = "warning"
        getattr(logger, level)(event, **self.log_fields())

    def render(self, console: Console) -> None:
        title = f"partnersync {self.job}{' (dry run)' if self.dry_run else ''}: {self.outcome}"
        table = Table(title=title, show_header=False)
        for label, value in self._rows():
            table.add_row(label, value)
        console.print(table)
        if self.quarantined:
            quarantine = Table(title=f"Quarantined records ({len(self.quarantined)})")
            quarantine.add_column("record")
            quarantine.add_column("field")
            quarantine.add_column("reason")
            for item in self.quarantined:
                # Vendor text is never rich markup: "lines[il_1]" must not vanish as a tag.
                quarantine.add_row(Text(f"{item.source} {item.object_type} {item.record_id}"),
                                   Text(item.field), Text(item.reason + (
                                       f" (got {item.value!r})" if item.value else "")))
            console.print(quarantine)
        for title, items in ((f"Payouts on hold ({len(self.held)})", self.held),
                             (f"Refused HubSpot changes ({len(self.refused)})", self.refused),
                             (f"Edited in HubSpot, written back ({len(self.edited)})",
                              self.edited)):
            if items:
                console.print(_by_reason(title, items))
        if self.error:
            console.print(Text.assemble(("error:", "bold red"), f" {self.error}"))

    def _rows(self) -> list[tuple[str, str]]:
        read = ", ".join(f"{k} {v}" for k, v in sorted(self.read.items())) or "-"
        lines = ", ".join(f"{k} {v}" for k, v in sorted(self.lines.items())) or "none"
        return [
            ("as of", self.as_of.isoformat()),
            ("records read", read),
            ("commission lines", lines),
            ("decision", "decided" if self.reused_decision is None else
             f"reused from run {self.reused_decision}: nothing it depends on changed"),
            ("payouts created", str(self.payouts_created)),
            ("finance transitions read / refused", f"{self.finance_transitions} / "
                                                   f"{len(self.refused)}"),
            ("payouts on hold", str(len(self.held))),
            ("transfers / failed / manual", f"{self.transfers} / {self.payment_failures} / "
                                            f"{self.manual_payouts}"),
            ("writes planned / sent / failed", f"{self.writes_planned} / {self.writes_sent} / "
                                               f"{self.writes_failed}"),
            ("API retries / 429s", f"{self.retries} / {self.rate_limited}"),
            ("reviews / unrecovered", f"{self.reviews} / {self.unrecovered}"),
            ("quarantined records", str(len(self.quarantined))),
            ("duration", f"{self.seconds:.1f} s"),
        ]
