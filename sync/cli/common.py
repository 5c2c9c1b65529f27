"""Finance's and the programme manager's commands: ``payouts``, ``explain``, ``report``.

Each module registers its subcommands with ``register(commands)``; every handler builds
its own ``Services`` from the environment (a configuration error exits 2 through
``sync.cli.main.main``) and closes it when done. Output goes through ``rich``; vendor text
(names, reasons, explanations) is printed as plain text, never as rich markup.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from sync.cli.failures import EXIT_ERROR as EXIT_ERROR  # the commands' statuses
from sync.cli.failures import EXIT_OK as EXIT_OK
from sync.config.settings import Settings, load_settings
from sync.domain.money import Cents, cents_from_eur, eur
from sync.domain.months import Month, parse_month_label
from sync.errors import ConfigurationError
from sync.ledger.errors import LedgerError
from sync.wiring import Services

Handler = Callable[[argparse.Namespace], int]


@contextmanager
def open_services(*, create_ledger: bool = False) -> Iterator[Services]:
    """Services for one command; only the worker's own commands create the ledger."""
    services = Services(load_settings(), create_ledger=create_ledger)
    try:
        yield services
    finally:
        services.close()


def console() -> Console:
    """A console on the current ``sys.stdout`` (``COLUMNS`` sets its width off a tty)."""
    return Console(file=sys.stdout, highlight=False)


def plain(out: Console, text: str = "") -> None:
    """Print vendor or ledger text exactly: no markup, no highlighting, no wrapping."""
    out.print(Text(text), soft_wrap=True)


def cell(value: object) -> Text:
    """A table cell that is never parsed as markup; ``None`` shows as empty."""
    return Text("" if value is None else str(value))


def money(cents: Cents | None) -> str:
    return "" if cents is None else f"{eur(cents)} EUR"


def fail(message: str) -> int:
    print(f"partnersync: {message}", file=sys.stderr)
    return EXIT_ERROR


def refused(error: LedgerError) -> int:
    """A ledger refusal (illegal transition, unknown id): its reason, exit 1."""
    return fail(str(error))


ACTOR_MISSING = ("--by: say who decides -- your HubSpot email, e.g. --by "
                 "claire.martin@vmcloud.example, so that R33 knows you -- or set "
                 "PARTNERSYNC_OPERATOR")


def utc_instant(text: str) -> datetime:
    """An ISO date (its first instant) or datetime; one without a zone is UTC."""
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    instant = datetime.fromisoformat(text)
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


# Argument types: a value argparse refuses is one `partnersync:` line with exit 2, the
# status of every misused argument (docs/configuration.md, exit statuses).
def instant_argument(text: str) -> datetime:
    try:
        return utc_instant(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date or datetime in UTC, e.g. 2026-12-01, got {text!r}") from None


def month_argument(text: str) -> Month:
    try:
        return parse_month_label(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def eur_argument(text: str) -> Cents:
    try:
        return cents_from_eur(text)
    except (ValueError, ArithmeticError):
        raise argparse.ArgumentTypeError(
            f"expected an EUR amount such as 50.00 or -25.00, got {text!r}") from None


def not_empty(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def add_actor(parser: argparse.ArgumentParser, who: str) -> None:
    """``--by NAME``: the person deciding, recorded in the audit trail."""
    parser.add_argument("--by", type=not_empty, metavar="NAME",
                        help=f"{who}, recorded in the audit trail: your HubSpot email "
                             "(R33) (default: PARTNERSYNC_OPERATOR; one of them is needed)")


def resolve_actor(args: argparse.Namespace) -> None:
    """Fill ``--by`` from ``PARTNERSYNC_OPERATOR`` for a command that takes it; without
    either, refuse: the OS account or a fixed name would name nobody."""
    if "by" not in vars(args) or args.by is not None:
        return
    operator = load_settings().operator
    if operator is None:
        raise ConfigurationError(ACTOR_MISSING)
    args.by = operator


def output_file(text: str) -> Path:
    """An argument naming a file to write: its folder must exist (checked before any
    work, so a typo costs no run), and it must not be a folder itself."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; name a file in it")
    if not path.resolve().parent.is_dir():
        raise argparse.ArgumentTypeError(f"folder {path.parent} does not exist; create it "
                                         "first")
    return path


def require_listenable(host: str, port: int, *, host_setting: str, port_setting: str) -> None:
    """Refuse, naming the setting to change, an address a server could not listen on --
    before the server would fail with a traceback and exit 1. (Checked by binding once
    and letting go: a program taking the port in between still meets the server.)"""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug does
            probe.bind(address)
    except OSError as error:
        why = error.strerror or str(error)
        if error.errno == errno.EADDRINUSE:
            raise ConfigurationError(
                f"{port_setting}: {host}:{port} is in use ({why}); stop what listens there, "
                "or choose another port (0: any free port)") from None
        if error.errno == errno.EACCES:
            raise ConfigurationError(f"{port_setting}: {host}:{port} needs privileges this "
                                     f"user lacks ({why}); choose a port above 1023") from None
        raise ConfigurationError(
            f"{host_setting}: cannot listen on {host}:{port} ({why}); give an address of "
            "this machine (127.0.0.1, or 0.0.0.0 for all)") from None


def require_portal_listenable(settings: Settings) -> None:
    """The portal's address, checked as ``require_listenable`` does; its port must not
    be the health server's (the portal alone is exposed)."""
    host, port = settings.resolved_portal_host, settings.portal_port
    if port != 0 and port == settings.serve_port:
        raise ConfigurationError(
            f"PARTNERSYNC_PORTAL_PORT: {port} is PARTNERSYNC_SERVE_PORT too; the portal "
            "needs a port of its own, apart from /healthz and /metrics (default 9110)")
    require_listenable(host, port, host_setting="PARTNERSYNC_PORTAL_HOST",
                       port_setting="PARTNERSYNC_PORTAL_PORT")


def require_webhooks_listenable(settings: Settings) -> None:
    """The webhook receivers' address, checked as ``require_listenable`` does; their port
    must be theirs alone (the vendors reach it, never /healthz or the portal)."""
    host, port = settings.resolved_webhook_host, settings.webhook_port
    taken = {settings.serve_port: "PARTNERSYNC_SERVE_PORT"}
    if settings.portal_secret_key is not None:
        taken[settings.portal_port] = "PARTNERSYNC_PORTAL_PORT"
    if port != 0 and port in taken:
        raise ConfigurationError(
            f"PARTNERSYNC_WEBHOOK_PORT: {port} is {taken[port]} too; the webhook receivers "
            "need a port of their own (default 9111)")
    require_listenable(host, port, host_setting="PARTNERSYNC_WEBHOOK_HOST",
                       port_setting="PARTNERSYNC_WEBHOOK_PORT")
