"""``partnersync sync``, ``serve`` and ``hubspot setup``: the worker's own commands."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from jobs.cycle import run_sync
from sync.adapters.hubspot.setup import ensure_setup
from sync.cli.common import (
    EXIT_OK,
    console,
    open_services,
    plain,
    require_listenable,
    require_portal_listenable,
    require_webhooks_listenable,
    utc_instant,
)
from sync.errors import ConfigurationError
from sync.wiring import Services

log = structlog.get_logger("partnersync")


def parse_as_of(text: str) -> datetime:
    """docs/rules.md: an ISO date (its first instant) or datetime, in UTC."""
    try:
        return utc_instant(text)
    except ValueError:
        raise ConfigurationError(
            f"--as-of {text!r}: expected an ISO date or datetime, e.g. 2026-03-01") from None


class ProgressBars:
    """One rich progress line per object type, counting records as they are read."""

    def __init__(self, out: Console) -> None:
        self.progress = Progress(TextColumn("{task.description:<24}"), BarColumn(),
                                 TextColumn("{task.completed:>8} records"), console=out,
                                 transient=False, disable=not out.is_terminal)
        self.tasks: dict[str, TaskID] = {}
        self.lock = threading.Lock()

    def __call__(self, label: str, count: int) -> None:
        with self.lock:
            if label not in self.tasks:
                self.tasks[label] = self.progress.add_task(label, total=None)
            self.progress.update(self.tasks[label], completed=count)


def refuse_rewriting(services: Services, as_of: datetime) -> None:
    """A sync before the latest recorded one would void or redo what later runs
    decided (docs/rules.md, Replaying the past): only a dry run replays the past."""
    latest = services.ledger.latest_sync()
    if latest is not None and as_of < latest.as_of:
        raise ConfigurationError(
            f"--as-of {as_of.isoformat()} is before the latest recorded sync (as of "
            f"{latest.as_of.isoformat()}, run {latest.id}): a sync then would rewrite what "
            "later runs decided; add --dry-run to replay it against the ledger as it stood "
            "then")


def sync_once(services: Services, as_of: datetime, *, force_full: bool,
              out: Console) -> int:
    bars = ProgressBars(out)
    with bars.progress:
        summary = run_sync(services, as_of, force_full=force_full, progress=bars,
                           on_summary=lambda s: s.log(log, "sync.finished"))
    summary.render(out)
    return EXIT_OK


def _sync(args: argparse.Namespace) -> int:
    as_of = parse_as_of(args.as_of) if args.as_of else datetime.now(UTC)
    out = console()
    with open_services(create_ledger=True) as services:
        services.configure_logging()
        services.settings.require_credentials()  # before the ledger is opened, or made
        if not args.dry_run:
            refuse_rewriting(services, as_of)  # before the programme and any call
        _ = services.programme  # a bad programme file stops here, before any call (exit 2)
        if args.dry_run:
            from jobs.dry_run import plan_lines, plan_run

            plan = plan_run(services, as_of, as_of_default=args.as_of is None)
            for text in plan_lines(plan):
                plain(out, text)
            return EXIT_OK
        return sync_once(services, as_of, force_full=args.full, out=out)


def _setup(args: argparse.Namespace) -> int:
    with open_services() as services:
        report = ensure_setup(services.hubspot, services.props)
    out = console()
    if not report.changed:
        plain(out, "HubSpot is already set up: nothing to create.")
    for item in report.created:
        plain(out, f"created {item}")
    return EXIT_OK


def stop_on_signals(stop: threading.Event) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())


def _announce(url: str) -> None:
    log.info("serve.ready", healthz=f"{url}/healthz", metrics=f"{url}/metrics")


def _announce_portal(links: str) -> Callable[[str], None]:
    def announce(url: str) -> None:
        log.info("portal.ready", url=url, links=links)
    return announce


def _serve(args: argparse.Namespace) -> int:
    from jobs.schedule import serve  # apscheduler and werkzeug: 0.5 s only `serve` needs

    stop = threading.Event()
    stop_on_signals(stop)
    with open_services(create_ledger=True) as services:
        services.configure_logging()
        settings = services.settings
        settings.require_credentials()
        _ = services.programme  # a bad programme file stops here (exit 2)
        _ = services.ledger  # so does a ledger that cannot be opened, before the first job
        require_listenable(settings.serve_host, settings.serve_port,
                           host_setting="PARTNERSYNC_SERVE_HOST",
                           port_setting="PARTNERSYNC_SERVE_PORT")
        if settings.portal_secret_key is not None:
            require_portal_listenable(settings)
        if settings.webhooks_on:
            require_webhooks_listenable(settings)
        serve(services, stop, _announce,
              portal_ready=_announce_portal(settings.resolved_portal_url))
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = commands.add_parser("sync", help="one full cycle: pull, reconcile, write back, pay")
    sync.add_argument("--as-of", metavar="T", help="behave as at this UTC instant "
                      "(ISO date or datetime; a date alone is its first instant); before "
                      "the latest sync, with --dry-run only: a replay against the ledger "
                      "as it stood then")
    sync.add_argument("--dry-run", action="store_true",
                      help="print the plan and change nothing anywhere")
    sync.add_argument("--full", action="store_true",
                      help="read everything, not only what changed since the last run")
    sync.set_defaults(handler=_sync)
    serve = commands.add_parser(
        "serve", help="run the scheduled jobs with /healthz, /metrics (and the portal, and "
                      "the webhook receivers, each on its own port when configured)")
    serve.set_defaults(handler=_serve)
    hubspot = commands.add_parser("hubspot", help="HubSpot portal administration")
    actions = hubspot.add_subparsers(dest="action", required=True, metavar="ACTION")
    setup = actions.add_parser("setup", help="create the properties and custom objects")
    setup.set_defaults(handler=_setup)
