"""``partnersync demo``: the sandbox seeded with ``fixtures/demo`` and one full cycle.

Needs no configuration: the stand-ins run on 127.0.0.1, the ledger is a fresh SQLite
file in the current directory, and the demo's programme file approves small payouts at
once so transfers happen too. Then it prints where to look next.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
from contextlib import closing
from pathlib import Path

from rich.console import Console

from jobs.cycle import run_sync
from sync.adapters.hubspot.setup import ensure_setup
from sync.cli.common import EXIT_OK, console, output_file, plain, require_listenable
from sync.cli.demo_finance import finance_hour, finance_next_steps
from sync.cli.run import ProgressBars, parse_as_of, stop_on_signals
from sync.cli.standins import require_standins
from sync.config.settings import Settings
from sync.errors import ConfigurationError
from sync.wiring import Services

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
DEMO_AS_OF = "2026-11-01"  # the demo portal's present: October 2026 is the last closed month
DATABASE = "partnersync-demo.db"
MAX_PORT = 65535


def port_number(text: str) -> int:
    port = int(text) if text.strip().isdigit() and text.isascii() else -1
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"expected a port from 0 (any free port) to "
                                         f"{MAX_PORT}, got {text!r}")
    return port


def _demo(args: argparse.Namespace) -> int:
    require_standins("demo")
    if args.serve:  # before the cycle's 15 s, not after
        require_listenable(args.portal_host, args.portal_port, host_setting="--portal-host",
                           port_setting="--portal-port")
    from sandbox.core import SandboxClock, SandboxServer
    from sandbox.hubspot import HubSpotSandbox
    from sandbox.stripe import StripeSandbox

    fixtures = Path(args.fixtures)
    if not (fixtures / "hubspot").is_dir() and not (fixtures / "stripe").is_dir():
        raise ConfigurationError(f"--fixtures {fixtures}: not a fixture directory")
    database = Path(args.database)
    database.unlink(missing_ok=True)  # each demo starts from an empty ledger
    clock = SandboxClock()
    hubspot_sandbox = HubSpotSandbox.from_fixtures(fixtures, clock=clock, token=None)
    stripe_sandbox = StripeSandbox.from_fixtures(fixtures, clock=clock, api_key=None)
    hubspot = SandboxServer(hubspot_sandbox.wsgi_app)
    stripe = SandboxServer(stripe_sandbox.wsgi_app)
    out = console()
    # Closing a stand-in stops its webhook sender (docs/sandbox.md), after its server.
    with closing(hubspot_sandbox), closing(stripe_sandbox), hubspot, stripe:
        programme = fixtures / "programme.toml"
        settings = Settings(
            hubspot_access_token="demo-token", hubspot_base_url=hubspot.url,
            stripe_api_key="sk_test_demo", stripe_api_base=stripe.url,
            database_url=f"sqlite:///{database}",
            programme_file=programme if programme.is_file() else None)
        services = Services(settings)
        services.configure_logging()
        try:
            plain(out, f"HubSpot stand-in {hubspot.url}, Stripe stand-in {stripe.url}")
            report = ensure_setup(services.hubspot, services.props)
            plain(out, f"hubspot setup: created {len(report.created)} properties and objects")
            bars = ProgressBars(out)
            with bars.progress:
                summary = run_sync(services, parse_as_of(args.as_of), progress=bars)
            summary.render(out)
            hour = finance_hour(services, hubspot.url, out)
        finally:
            services.close()
        run = program()
        again = "".join(f" {option} {value}" for option, value, default in (
            ("--fixtures", args.fixtures, str(DEMO)), ("--database", args.database, DATABASE))
            if str(value) != default)  # --database arrives as a Path (output_file)
        _next_steps(out, database, finance_next_steps(hour, run), f"{run} demo{again}",
                    run, serving=args.serve)
        if args.serve:
            _keep_serving(out, settings, database, programme, run,
                          host=args.portal_host, port=args.portal_port)
    return EXIT_OK


def _here(path: Path) -> str:
    """``path`` as typed in this directory: relative below it, else absolute."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def program() -> str:
    """How to run this same ``partnersync`` from this directory: ``partnersync`` when it
    is the one on PATH, else its path (``.venv/bin/partnersync`` after scripts/demo.sh,
    which does not activate the environment), or ``python -m sync.cli``."""
    started = Path(sys.argv[0])
    if started.name != "partnersync":
        return f"{_here(Path(sys.executable))} -m sync.cli"
    on_path = shutil.which("partnersync")
    if on_path is not None and Path(on_path).resolve() == started.resolve():
        return "partnersync"
    return _here(started)


def _next_steps(out: Console, database: Path, finance: list[str], demo: str, run: str, *,
                serving: bool) -> None:
    for text in [
        "", f"Where to look next (the demo's ledger is {_here(database)}):",
        f"  cd {os.getcwd()}",
        f"  export PARTNERSYNC_DATABASE_URL=sqlite:///{_here(database)}",
        f"  {run} report                       # the programme KPIs (R31)",
        f"  {run} report --html report.html    # the same with charts",
        f"  {run} payouts list                 # finance's view",
        f"  {run} explain --deal 40000000009   # R9: a registration protects a deal",
        f"  {run} explain --deal 40000000058   # a quarantined touch, and why",
        *finance,
        *([] if serving else [
            f"Run `{demo} --serve` to keep the stand-ins up and sync again, and to see "
            "the partner portal in a browser (a sign-in link for a partner and an admin)."]),
    ]:
        plain(out, text)


def _keep_serving(out: Console, settings: Settings, database: Path, programme: Path,
                  run: str, *, host: str, port: int) -> None:
    from sync.cli.demo_portal import portal_lines, start_portal

    portal = start_portal(settings, host, port)
    variables = [f"  export PARTNERSYNC_PROGRAMME_FILE={_here(programme)}"
                 ] if programme.is_file() else []
    try:
        for text in [*portal_lines(portal, run),
                     "", "The stand-ins stay up until Ctrl-C. In another terminal:",
                     f"  cd {os.getcwd()}",
                     f"  export PARTNERSYNC_HUBSPOT_BASE_URL={settings.hubspot_base_url}",
                     f"  export PARTNERSYNC_STRIPE_API_BASE={settings.stripe_api_base}",
                     "  export PARTNERSYNC_HUBSPOT_ACCESS_TOKEN=demo-token",
                     "  export PARTNERSYNC_STRIPE_API_KEY=sk_test_demo",
                     f"  export PARTNERSYNC_DATABASE_URL=sqlite:///{_here(database)}",
                     f"  export PARTNERSYNC_PORTAL_URL={portal.url}",
                     *variables,
                     f"  {run} payouts approve <id> --by you@example.com "
                     f"&& {run} sync --as-of {DEMO_AS_OF}"]:
            plain(out, text)
        stop = threading.Event()
        stop_on_signals(stop)
        stop.wait()
    finally:
        portal.close()


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="the sandbox with the demo portal, and one cycle")
    demo.add_argument("--fixtures", default=str(DEMO), metavar="DIR",
                      help="the portal to serve, a fixture directory (default: fixtures/demo)")
    demo.add_argument("--database", default=DATABASE, metavar="FILE", type=output_file,
                      help="the demo's SQLite ledger, recreated each time")
    demo.add_argument("--as-of", default=DEMO_AS_OF, metavar="T",
                      help="the demo portal's present, an ISO date or datetime in UTC "
                           "(default: %(default)s)")
    demo.add_argument("--serve", action="store_true",
                      help="keep the stand-ins running after the cycle, and serve the portal")
    demo.add_argument("--portal-host", default="127.0.0.1", metavar="HOST",
                      help="with --serve, the address the portal listens on (default: "
                           "%(default)s; 0.0.0.0 in a container, to publish its port)")
    demo.add_argument("--portal-port", default=0, type=port_number, metavar="PORT",
                      help="with --serve, the portal's port (default: any free port)")
    demo.set_defaults(handler=_demo)
