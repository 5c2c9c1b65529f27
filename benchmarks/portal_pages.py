"""Partner pages benchmark: ``python -m benchmarks.portal_pages [--customers N] [--months N]
[--requests N] [--postgres URL]``; the defaults are issue 15's goal: one partner with
1,000 customers and 24,000 commission lines (``benchmarks.portal_pages_world``).

For SQLite, and for PostgreSQL when ``--postgres`` or ``PARTNERSYNC_TEST_POSTGRES_URL``
names a server (in a schema of its own, dropped afterwards), it builds the world, pays
all but the last four payouts by hand, signs the partner in through a real sign-in link
and asks each partner page ``--requests`` times through the portal's WSGI application
(Flask's test client: the server's time, no network). It prints each page's first
request (a cold start) and the p50, p95 and maximum of the others. Goal: p95 under
150 ms for every page, on both databases.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from benchmarks.portal_pages_world import PARTNER_ID, Built, Size, build
from sync.config.settings import Settings
from sync.domain.decisions import PayoutStatus
from sync.ledger.models import LineRow
from sync.ledger.portal import Principal
from sync.portal.app import create_portal
from sync.portal.invites import invite
from sync.wiring import Services

GOAL_MS = 150.0
DEFAULT = Size()
UNPAID = 4  # the last payouts stay pending_approval: the pages show both kinds
SECRET = "benchmark-portal-secret-0123456789abcdef"
PORTAL_URL = "http://portal.benchmark"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# (endpoint, path); {line} and {payout} are the partner's own ids
PAGES = (
    ("partner.overview", "/overview"),
    ("partner.customers", "/customers"),
    ("partner.lines", "/lines"),
    ("partner.lines", "/lines?month={month}"),
    ("partner.line", "/lines/{line}"),
    ("partner.payouts", "/payouts"),
    ("partner.statement", "/payouts/{payout}"),
    ("partner.statement_csv", "/payouts/{payout}/statement.csv"),
    ("partner.referral", "/referral"),
    ("registrations.index", "/registrations"),
)


@dataclass(frozen=True, slots=True)
class Timing:
    page: str  # the path as PAGES writes it, ids as {placeholders}
    path: str
    first_ms: float
    samples_ms: tuple[float, ...]

    def quantile(self, share: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    @property
    def p95_ms(self) -> float:
        return self.quantile(0.95)


@dataclass(frozen=True, slots=True)
class Measured:
    database: str
    built: Built
    build_s: float
    timings: tuple[Timing, ...]


def settle(services: Services, unpaid: int = UNPAID) -> None:
    """Finance approves and pays by hand every payout but the last ``unpaid`` ones."""
    ledger = services.ledger
    payouts = sorted(ledger.list_payouts(), key=lambda payout: payout.month)
    for payout in payouts[:max(0, len(payouts) - unpaid)]:
        if payout.status is PayoutStatus.PENDING_APPROVAL:
            ledger.approve(payout.id, "benchmark")
        ledger.mark_manual_pending(payout.id)
        ledger.mark_paid(payout.id, "benchmark", "SEPA-benchmark")


def signed_in_client(app: Flask, services: Services) -> FlaskClient:
    """A client with the partner's session, from a real single-use link."""
    link = invite(services, Principal.partner(PARTNER_ID), email=None, by="benchmark",
                  now=datetime.now(UTC))
    path = link.url.removeprefix(services.settings.resolved_portal_url)
    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    found = CSRF.search(page)
    if found is None:
        raise RuntimeError(f"the sign-in page {path} has no form")
    answer = client.post(path, data={"csrf_token": found.group(1)})
    if answer.status_code != 303:
        raise RuntimeError(f"signing in answered {answer.status_code}")
    return client


def page_paths(app: Flask, services: Services) -> list[tuple[str, str]]:
    """The partner pages the portal has, with the partner's own ids filled in."""
    ledger = services.ledger
    with ledger.transaction() as session:
        line = session.scalars(select(LineRow.id).where(LineRow.partner_id == PARTNER_ID)
                               .order_by(LineRow.month.desc(), LineRow.id).limit(1)).one()
        month = session.scalars(select(LineRow.month).where(LineRow.id == line)).one()
    paid = [p for p in ledger.list_payouts() if p.status is PayoutStatus.PAID]
    payout = max(paid or ledger.list_payouts(), key=lambda p: p.month).id
    return [(path, path.format(line=line, payout=payout, month=month))
            for endpoint, path in PAGES if endpoint in app.view_functions]


def time_page(client: FlaskClient, page: str, path: str, requests: int) -> Timing:
    def once() -> float:
        started = time.perf_counter()
        answer = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}")
        return elapsed

    first = once()
    return Timing(page, path, first, tuple(once() for _ in range(requests)))


def measure(database: str, url: str, size: Size, requests: int) -> Measured:
    settings = Settings(database_url=url, portal_secret_key=SECRET, portal_url=PORTAL_URL)
    services = Services(settings)
    try:
        started = time.perf_counter()
        built = build(services, size)
        settle(services)
        build_s = time.perf_counter() - started
        app = create_portal(services)
        client = signed_in_client(app, services)
        timings = tuple(time_page(client, page, path, requests)
                        for page, path in page_paths(app, services))
    finally:
        services.close()
    return Measured(database, built, build_s, timings)


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A fresh schema on the server at ``base``, dropped afterwards."""
    schema = f"partnersync_bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def report(size: Size, requests: int, results: Sequence[Measured]) -> list[str]:
    lines = [f"partner pages: 1 partner, {size.customers:,} customers x {size.months} months; "
             f"{requests} requests a page after the first; "
             f"{platform.python_implementation()} {platform.python_version()}, "
             f"{os.cpu_count()} CPUs, {platform.platform(terse=True)}, "
             f"{datetime.now(UTC):%Y-%m-%d}"]
    for result in results:
        built = result.built
        lines += ["", f"{result.database}: {built.lines:,} lines, {built.payouts} payouts, "
                      f"{built.invoices:,} invoices; built in {result.build_s:.0f} s",
                  f"  {'page':<34} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} "
                  f"{'max ms':>8}  goal p95 < {GOAL_MS:.0f} ms"]
        for timing in result.timings:
            verdict = "ok" if timing.p95_ms < GOAL_MS else "MISSED"
            lines.append(f"  {timing.page:<34} {timing.first_ms:>9.1f} "
                         f"{statistics.median(timing.samples_ms):>8.1f} "
                         f"{timing.p95_ms:>8.1f} {max(timing.samples_ms):>8.1f}  {verdict}")
    return lines


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.portal_pages",
                                     description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--customers", type=int, default=DEFAULT.customers)
    parser.add_argument("--months", type=int, default=DEFAULT.months)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("PARTNERSYNC_TEST_POSTGRES_URL"),
                        metavar="URL", help="default: PARTNERSYNC_TEST_POSTGRES_URL")
    parser.add_argument("--sqlite-only", action="store_true")
    return parser.parse_args(argv)


def run(size: Size, requests: int, postgres: str | None) -> list[Measured]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'ledger.db'}"
        results.append(measure("SQLite", url, size, requests))
    if postgres:
        with postgres_schema(postgres) as url:
            results.append(measure("PostgreSQL", url, size, requests))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    size = Size(args.customers, args.months)
    results = run(size, args.requests, None if args.sqlite_only else args.postgres)
    print("\n".join(report(size, args.requests, results)))
    missed = [t for result in results for t in result.timings if t.p95_ms >= GOAL_MS]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
