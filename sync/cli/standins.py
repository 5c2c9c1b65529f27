"""``partnersync sandbox``, and the check that the stand-ins are installed.

The HubSpot and Stripe stand-ins are their own distribution (``partnersync-standins``,
in ``standins/``), which the worker's wheel and image leave out. ``sandbox`` and
``demo`` import them only when they run, and say what to install when they are absent.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sync.cli.common import EXIT_OK, require_listenable
from sync.errors import ConfigurationError

if TYPE_CHECKING:
    from sandbox.runner import WebhookSettings

LOCALHOST = "127.0.0.1"  # the stand-ins listen on loopback only

INSTALL_HINT = ("install them from a clone of the repository with "
                "`pip install -e ./standins` (or run `bash scripts/demo.sh`)")


def require_standins(command: str) -> None:
    """Raise a configuration error naming the fix when the stand-ins are absent."""
    try:
        found = importlib.util.find_spec("sandbox.runner") is not None
    except ImportError:  # a `sandbox` that is not the stand-ins' package, or none
        found = False
    if not found:
        raise ConfigurationError(
            f"`partnersync {command}` needs the HubSpot and Stripe stand-ins, which are not "
            f"installed: {INSTALL_HINT}")


def _sandbox(args: argparse.Namespace) -> int:
    require_standins("sandbox")
    from sandbox.runner import run_sandbox

    fixtures = Path(args.fixtures) if args.fixtures else None
    if fixtures is not None and not fixtures.is_dir():
        raise ConfigurationError(f"--fixtures {fixtures}: not a directory")
    for option, port in (("--hubspot-port", args.hubspot_port),
                         ("--stripe-port", args.stripe_port)):
        require_listenable(LOCALHOST, port, host_setting=option, port_setting=option)
    run_sandbox(fixtures, args.hubspot_port, args.stripe_port, webhooks=_webhooks(args))
    return EXIT_OK


def _webhooks(args: argparse.Namespace) -> WebhookSettings | None:
    """Where the stand-ins post webhooks (--webhook-url), with the secrets given."""
    from sandbox.runner import WebhookSettings

    secrets = {name: value for name, value in (
        ("stripe_secret", args.stripe_webhook_secret),
        ("hubspot_client_secret", args.hubspot_client_secret)) if value is not None}
    if args.webhook_url is None:
        if secrets:
            raise ConfigurationError("--stripe-webhook-secret and --hubspot-client-secret "
                                     "sign webhooks: give --webhook-url too")
        return None
    return WebhookSettings(args.webhook_url, **secrets)


def webhook_base_url(text: str) -> str:
    """The worker's base URL, as the stand-ins post to it: http(s), a host, no query."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment:
        raise argparse.ArgumentTypeError(
            f"expected the worker's base URL such as http://127.0.0.1:9111, got {text!r}")
    return text


def port(text: str) -> int:
    """A TCP port for a stand-in: 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port from 0 to 65535 (0: any free port), got {text!r}")
    return value


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sandbox = commands.add_parser(
        "sandbox", help="run the HubSpot and Stripe stand-ins on 127.0.0.1 until stopped "
                        "(needs the stand-ins: pip install -e ./standins)")
    sandbox.add_argument("--fixtures", metavar="DIR", help="a fixture directory to seed from")
    sandbox.add_argument("--hubspot-port", type=port, default=0, metavar="N",
                         help="the HubSpot stand-in's port (default: any free port)")
    sandbox.add_argument("--stripe-port", type=port, default=0, metavar="N",
                         help="the Stripe stand-in's port (default: any free port)")
    sandbox.add_argument("--webhook-url", type=webhook_base_url, metavar="BASE",
                         help="post webhooks for every change to BASE/webhooks/stripe and "
                              "BASE/webhooks/hubspot (default: send none)")
    sandbox.add_argument("--stripe-webhook-secret", metavar="S",
                         help="the secret Stripe's webhooks are signed with "
                              "(default: whsec_sandbox; docs/sandbox.md)")
    sandbox.add_argument("--hubspot-client-secret", metavar="S",
                         help="the app client secret HubSpot's webhooks are signed with "
                              "(default: sandbox-client-secret; docs/sandbox.md)")
    sandbox.set_defaults(handler=_sandbox)
