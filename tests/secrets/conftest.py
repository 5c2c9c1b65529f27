"""One session of the worker failing in every way, everything it wrote captured.

The stand-ins check credentials: HubSpot accepts only ``HUBSPOT_SECRET`` and Stripe only
``STRIPE_SECRET``; a second pair on other ports accepts only other credentials, so the
same secrets in the environment get a 401 there. Every command runs as a user runs it,
``python -m sync.cli ...`` with the secrets in its environment and JSON logs at debug
level; runs that would sleep through retries (500 storms, a refused connection) run
in-process with a retry policy that never sleeps, logging through the same processors.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog
from prometheus_client import generate_latest
from rich.console import Console

from jobs.cycle import run_sync
from jobs.summary import RunSummary
from sandbox.core import SandboxClock, SandboxServer
from sandbox.core.faults import FaultPlan
from sandbox.hubspot import HubSpotSandbox
from sandbox.stripe import StripeSandbox
from sandbox.synthetic import write_portal
from sync.config.settings import Settings
from sync.runtime.metrics import REGISTRY
from sync.wiring import Services
from tests.badinput.portal import Planter, base_portal
from tests.badinput.support import PROGRAMME
from tests.e2e.support import FAST_RETRY, ledger_tables

HUBSPOT_SECRET = "pat-na1-SECRET-HUBSPOT-1234"
STRIPE_SECRET = "sk_test_SECRETSTRIPE5678"
PORTAL_SECRET = "portal-SECRETKEY-9f8e7d6c5b4a"  # signs the portal's cookies
SMTP_PASSWORD = "smtp-SECRETPASS-1a2b3c4d"  # in PARTNERSYNC_SMTP_URL
SECRETS = (HUBSPOT_SECRET, STRIPE_SECRET, PORTAL_SECRET, SMTP_PASSWORD)
AS_OF = "2026-11-01"
TIMEOUT = 120
NEVER_SOON = "0 0 1 1 *"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Captured:
    """Everything one scenario produced, by where it went."""

    label: str
    exit_code: int | None = None
    texts: dict[str, str] = field(default_factory=dict)  # stdout, stderr, logs, files...


@dataclass
class Session:
    scenarios: dict[str, Captured]
    ledgers: dict[str, str]  # every row of every ledger table, as text
    metrics: str  # the in-process registry after every run
    deal_id: str
    customer_id: str


def serving(app: Any, stack: ExitStack) -> str:
    return str(stack.enter_context(SandboxServer(app)).url)


def portal_dir(directory: Path) -> tuple[str, str]:
    """A small portal plus a quarantine-heavy handful and a partner whose Connect
    account is gone (its payout fails with a stored reason)."""
    planter = Planter(copy.deepcopy(base_portal()))
    good = planter.partner(name="Secret Keeper", code="BIKEEPER")
    gone = planter.partner(name="Gone Account", code="BIGONE", account_id="acct_bi_gone")
    deal, clone = planter.won_customer("keeper", str(good["id"]))
    planter.won_customer("gone", str(gone["id"]))
    broken = planter.clone("broken")
    broken.invoices[1]["amount_paid"] = "1 200 €"
    broken.invoices[2]["currency"] = "€"
    broken.invoices[3]["status_transitions"]["paid_at"] = None
    planter.deal(name="when?", customer_id=broken.id, registered_by=str(good["id"]),
                 registered_at="next tuesday")
    planter.partner(name="Evil\x00Corp", code="X" * 5000)
    write_portal(planter.portal, directory)
    (directory / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    (directory / "bad-programme.toml").write_text("[tiers.partner]\nrate = 'lots'\n",
                                                  encoding="utf-8")
    return str(deal["id"]), clone.id


class Worker:
    """``python -m sync.cli`` with the secrets in its environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def run(self, label: str, *args: str, **overrides: str) -> Captured:
        env = {**self.env, **overrides}
        done = subprocess.run([sys.executable, "-m", "sync.cli", *args], capture_output=True,
                              text=True, env=env, timeout=TIMEOUT, cwd=ROOT)
        return Captured(label, done.returncode, {"stdout": done.stdout, "stderr": done.stderr})

    def serve(self, label: str) -> Captured:
        """``serve`` until it announces /metrics and the portal; the three read, then
        SIGTERM."""
        env = {**self.env, "PARTNERSYNC_SERVE_PORT": "0", "PARTNERSYNC_PORTAL_PORT": "0",
               "PARTNERSYNC_SCHEDULE_SYNC": NEVER_SOON,
               "PARTNERSYNC_SCHEDULE_MONTH_CLOSE": NEVER_SOON,
               "PARTNERSYNC_SCHEDULE_PAY": NEVER_SOON}
        process = subprocess.Popen([sys.executable, "-m", "sync.cli", "serve"], cwd=ROOT,
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        captured = Captured(label)
        seen: list[str] = []
        try:
            assert process.stderr is not None  # the log lines, serve.ready among them
            for line in process.stderr:
                seen.append(line)
                if '"serve.ready"' in line:
                    urls = json.loads(line)
                    for name in ("metrics", "healthz"):
                        with urllib.request.urlopen(urls[name], timeout=10) as answer:
                            captured.texts[f"/{name}"] = answer.read().decode()
                if '"portal.ready"' in line:  # on its own port (the secret key is set)
                    portal = json.loads(line)["url"] + "/sign-in"
                    with urllib.request.urlopen(portal, timeout=10) as answer:
                        captured.texts["/sign-in"] = answer.read().decode()
                        captured.texts["/sign-in headers"] = str(answer.headers)
                    break
        finally:
            process.send_signal(signal.SIGTERM)
            output, rest = process.communicate(timeout=30)
        captured.exit_code = process.returncode
        captured.texts.update(stdout=output, stderr="".join(seen) + rest)
        return captured


def in_process(label: str, settings: Settings) -> Captured:
    """A sync in this process, JSON logs through the worker's own processors."""
    services = Services(settings, retry=FAST_RETRY)
    logs = io.StringIO()
    captured = Captured(label)
    try:
        with contextlib.redirect_stderr(logs):
            services.configure_logging()
            summary: RunSummary | None = None
            try:
                summary = run_sync(services, datetime(2026, 11, 1, tzinfo=UTC))
                captured.exit_code = 0
            except Exception as error:
                captured.exit_code = 1
                captured.texts["error"] = f"{type(error).__name__}: {error}\n{error!r}"
            if summary is not None:
                rendered = io.StringIO()
                summary.render(Console(file=rendered, width=300))
                captured.texts["summary"] = rendered.getvalue()
    finally:
        services.close()
        structlog.reset_defaults()
    captured.texts["logs"] = logs.getvalue()
    return captured


def some_line(database_url: str, customer_id: str) -> str:
    services = Services(Settings(database_url=database_url))
    try:
        return next(line.id for line in services.ledger.load_state().lines
                    if line.customer_id == customer_id)
    finally:
        services.close()


def dump_ledger(database_url: str) -> str:
    services = Services(Settings(database_url=database_url))
    try:
        return json.dumps(ledger_tables(services.ledger), default=str)
    finally:
        services.close()


@pytest.fixture(scope="session")
def session() -> Iterator[Session]:
    # A private directory: pytest's shared basetemp may be pruned by other sessions.
    with tempfile.TemporaryDirectory(prefix="partnersync-secrets-") as scratch:
        yield from _session(Path(scratch))


def _session(directory: Path) -> Iterator[Session]:
    deal_id, customer_id = portal_dir(directory)
    clock = SandboxClock()
    hubspot = HubSpotSandbox.from_fixtures(directory, clock=clock, token=HUBSPOT_SECRET)
    stripe = StripeSandbox.from_fixtures(directory, clock=clock, api_key=STRIPE_SECRET)
    strangers = (HubSpotSandbox.from_fixtures(directory, token="pat-na1-someone-else"),
                 StripeSandbox.from_fixtures(directory, api_key="sk_test_someone_else"))
    scenarios: dict[str, Captured] = {}

    def keep(captured: Captured) -> Captured:
        scenarios[captured.label] = captured
        return captured

    with ExitStack() as stack:
        hubspot_url, stripe_url = serving(hubspot.wsgi_app, stack), serving(stripe.wsgi_app,
                                                                               stack)
        wrong_hubspot = serving(strangers[0].wsgi_app, stack)
        wrong_stripe = serving(strangers[1].wsgi_app, stack)
        database_url = f"sqlite:///{directory / 'ledger.db'}"
        worker = Worker({
            **{k: v for k, v in os.environ.items() if not k.startswith("PARTNERSYNC_")},
            "PARTNERSYNC_HUBSPOT_ACCESS_TOKEN": HUBSPOT_SECRET,
            "PARTNERSYNC_STRIPE_API_KEY": STRIPE_SECRET,
            "PARTNERSYNC_HUBSPOT_BASE_URL": hubspot_url, "PARTNERSYNC_STRIPE_API_BASE": stripe_url,
            "PARTNERSYNC_DATABASE_URL": database_url,
            "PARTNERSYNC_PORTAL_SECRET_KEY": PORTAL_SECRET,
            "PARTNERSYNC_PROGRAMME_FILE": str(directory / "programme.toml"),
            "PARTNERSYNC_LOG_FORMAT": "json", "PARTNERSYNC_LOG_LEVEL": "debug",
            "COLUMNS": "300"})
        keep(worker.run("hubspot setup", "hubspot", "setup"))
        keep(worker.run("hubspot 401", "sync", "--as-of", AS_OF,
                        PARTNERSYNC_HUBSPOT_BASE_URL=wrong_hubspot))
        keep(worker.run("stripe 401", "sync", "--as-of", AS_OF,
                        PARTNERSYNC_STRIPE_API_BASE=wrong_stripe))
        keep(worker.run("bad programme file", "sync", "--as-of", AS_OF,
                        PARTNERSYNC_PROGRAMME_FILE=str(directory / "bad-programme.toml")))
        keep(worker.run("bad setting", "sync", PARTNERSYNC_SERVE_PORT="not-a-port"))
        hubspot.limits.configure({"daily_limit": 3, "reset": True})
        keep(worker.run("daily limit", "sync", "--as-of", AS_OF))
        hubspot.limits.configure({"daily_limit": 1_000_000, "reset": True})
        keep(worker.run("dry run before any sync", "sync", "--as-of", AS_OF, "--dry-run"))
        stripe.set_balance(0)  # R26: transfers refused, Stripe's reason stored
        keep(worker.run("sync", "sync", "--as-of", AS_OF))
        stripe.set_balance(10**12)
        keep(worker.run("dry run", "sync", "--as-of", "2026-12-01", "--dry-run"))
        html, csv = directory / "report.html", directory / "payouts.csv"
        report = keep(worker.run("report --html", "report", "--html", str(html)))
        report.texts["report.html"] = html.read_text(encoding="utf-8")
        keep(worker.run("report", "report"))
        keep(worker.run("explain --deal", "explain", "--deal", deal_id))
        keep(worker.run("explain --customer", "explain", "--customer", customer_id))
        keep(worker.run("explain line", "explain", some_line(database_url, customer_id)))
        keep(worker.run("payouts list", "payouts", "list"))
        export = keep(worker.run("payouts export", "payouts", "export", "--output", str(csv)))
        if csv.exists():
            export.texts["payouts.csv"] = csv.read_text(encoding="utf-8")
        keep(worker.serve("serve"))
        keep(worker.run("portal invite-admin", "portal", "invite-admin",
                        "manager@vmcloud.example", "--by", "claire.martin@vmcloud.example"))
        keep(worker.run("portal invite by mail refused", "portal", "invite-admin",
                        "manager@vmcloud.example", "--by", "claire.martin@vmcloud.example",
                        PARTNERSYNC_SMTP_URL=closed_port_url().replace(
                            "http://", f"smtp://mailer:{SMTP_PASSWORD}@"),
                        PARTNERSYNC_SMTP_FROM="partners@vmcloud.example"))

        # In-process: failures the CLI would sleep through, retrying.
        process_db = f"sqlite:///{directory / 'in-process.db'}"

        def settings(**changes: Any) -> Settings:
            values: dict[str, Any] = {
                "hubspot_access_token": HUBSPOT_SECRET, "stripe_api_key": STRIPE_SECRET,
                "hubspot_base_url": hubspot_url, "stripe_api_base": stripe_url,
                "database_url": process_db, "log_format": "json", "log_level": "debug",
                "programme_file": directory / "programme.toml", **changes}
            return Settings(**values)

        hubspot.faults.replace(FaultPlan(share=1.0, kinds={"500": 1.0}))
        keep(in_process("hubspot 500 storm", settings()))
        hubspot.faults.clear()
        stripe.faults.replace(FaultPlan(share=1.0, kinds={"500": 1.0}))
        keep(in_process("stripe 500 storm", settings()))
        stripe.faults.clear()
        keep(in_process("connection refused", settings(hubspot_base_url=closed_port_url())))
        keep(in_process("in-process success", settings()))
        yield Session(scenarios, {"cli": dump_ledger(database_url),
                                  "in-process": dump_ledger(process_db)},
                      generate_latest(REGISTRY).decode(), deal_id, customer_id)


def closed_port_url() -> str:
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
