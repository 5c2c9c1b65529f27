"""Running the catalogue: one world with every bad record planted, one without.

Both worlds are the e2e harness (both sandboxes on loopback, the real SDKs, the worker
wired as in production), with a programme that pays every balance (minimum 1.00 EUR)
and approves payouts up to 100,000.00 EUR, so R26's payment path runs too.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from jobs.summary import RunSummary
from sandbox.core import SandboxClock, SandboxServer
from sandbox.hubspot import HubSpotSandbox
from sandbox.stripe import StripeSandbox
from sync.adapters.hubspot.setup import ensure_setup
from sync.cli.explain import line_view, render_line
from sync.cli.explain_attribution import explain_customer, explain_deal
from sync.cli.offline import require_decisions
from sync.cli.report import render_terminal
from sync.config.settings import Settings
from sync.domain.decisions import CommissionLine, DealAttribution, Decisions
from sync.domain.inputs import Inputs
from sync.ledger import PayoutRecord
from sync.report.data import build_report
from sync.report.html import render_html
from sync.wiring import Services
from tests.e2e.support import DEMO_AS_OF, FAST_RETRY, World

AS_OF = DEMO_AS_OF  # closes October 2026; the portal bills January to August
PROGRAMME = """\
[approval]
auto_approve_max = "100000.00"

[tiers.referral]
minimum_payout = "1.00"

[tiers.partner]
minimum_payout = "1.00"

[tiers.premier]
minimum_payout = "1.00"
"""
WIDE = 4000  # columns: rich never wraps a reason


def text_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=WIDE, highlight=False, color_system=None), buffer


@dataclass
class BenchWorld(World):
    programme: Path = Path()

    def services(self) -> Services:
        settings = Settings(
            hubspot_access_token="bad-input-token", hubspot_base_url=self.hubspot_url,
            stripe_api_key="sk_test_badinput", stripe_api_base=self.stripe_url,
            database_url=self.database_url, programme_file=self.programme)
        services = Services(settings, retry=FAST_RETRY)
        self.opened.append(services)
        return services


@contextmanager
def open_bench_world(fixtures: Path, directory: Path) -> Iterator[BenchWorld]:
    programme = directory / "programme.toml"
    programme.write_text(PROGRAMME, encoding="utf-8")
    clock = SandboxClock()
    hubspot = HubSpotSandbox.from_fixtures(fixtures, clock=clock, token=None)
    stripe = StripeSandbox.from_fixtures(fixtures, clock=clock, api_key=None)
    with ExitStack() as stack:
        hubspot_server = stack.enter_context(SandboxServer(hubspot.wsgi_app))
        stripe_server = stack.enter_context(SandboxServer(stripe.wsgi_app))
        world = BenchWorld(fixtures, f"sqlite:///{directory / 'ledger.db'}", hubspot, stripe,
                           hubspot_server.url, stripe_server.url, programme=programme)
        try:
            ensure_setup(world.services().hubspot, world.services().props)
            yield world
        finally:
            for services in world.opened:
                services.close()


@dataclass
class Result:
    """What one run left behind, and what the commands show of it."""

    world: BenchWorld
    summary: RunSummary
    summary_text: str
    inputs: Inputs
    decisions: Decisions
    lines: tuple[CommissionLine, ...]
    payouts: list[PayoutRecord]
    report_text: str
    report_html: str
    _explained: dict[tuple[str, str], str] = field(default_factory=dict)

    def lines_of(self, customer_id: str) -> list[CommissionLine]:
        return [line for line in self.lines if line.customer_id == customer_id]

    def deal_verdict(self, deal_id: str) -> DealAttribution:
        return next(item for item in self.decisions.deals if item.deal_id == deal_id)

    def quarantined_ids(self) -> set[str]:
        return {item.record_id for item in self.summary.quarantined}

    def explain_deal(self, deal_id: str) -> str:
        return self._explain("deal", deal_id)

    def explain_customer(self, customer_id: str) -> str:
        return self._explain("customer", customer_id)

    def explain_line(self, line_id: str) -> str:
        return self._explain("line", line_id)

    def _explain(self, what: str, record_id: str) -> str:
        key = (what, record_id)
        if key not in self._explained:
            out, buffer = text_console()
            services = self.world.services()
            if what == "deal":
                assert explain_deal(services, record_id, out) == 0
            elif what == "customer":
                assert explain_customer(services, record_id, out) == 0
            else:
                view = line_view(services, record_id)
                assert view is not None
                render_line(out, view)
            self._explained[key] = buffer.getvalue()
        return self._explained[key]


def run_bench(world: BenchWorld) -> Result:
    summary = world.run(AS_OF)
    out, buffer = text_console()
    summary.render(out)
    services = world.services()
    inputs, decisions = require_decisions(services)
    data = build_report(inputs, decisions, services.ledger.findings(),
                        decisions.last_closed_month, services.programme,
                        services.ledger.list_payouts(), services.ledger.now())
    report_out, report_buffer = text_console()
    render_terminal(report_out, data)
    return Result(world, summary, buffer.getvalue(), inputs, decisions,
                  services.ledger.load_state().lines, services.ledger.list_payouts(),
                  report_buffer.getvalue(), render_html(data))
