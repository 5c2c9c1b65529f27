"""``partnersync webhooks setup``: the webhook endpoints and the events to subscribe to at
Stripe and HubSpot; with ``--register``, Stripe's endpoints created or updated through
its API and their new signing secret written to a file (never printed). README,
Webhooks."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console

from sync.cli.common import EXIT_OK, console, open_services, output_file, plain
from sync.config.settings import Settings
from sync.errors import ConfigurationError
from sync.webhooks.setup import CONNECT, Plan, Registered, plan_for, register_stripe
from sync.wiring import Services

PUBLIC_URL_MISSING = ("PARTNERSYNC_WEBHOOK_PUBLIC_URL is not set: set it to the base URL "
                      "Stripe and HubSpot call, e.g. https://partners.example.com (your "
                      "reverse proxy, in front of PARTNERSYNC_WEBHOOK_PORT)")
SECRET_FILE_MISSING = ("--register needs --secret-file PATH: Stripe shows a new endpoint's "
                       "signing secret once, and it is written there, never printed")


def describe(plan: Plan, settings: Settings) -> list[str]:
    account, connect = plan.stripe
    listening = f"{settings.resolved_webhook_host}:{settings.webhook_port}"
    return [
        f"Endpoints (the receivers listen on {listening}, behind "
        f"PARTNERSYNC_WEBHOOK_PUBLIC_URL):",
        f"  Stripe   {plan.stripe_url}", f"  HubSpot  {plan.hubspot_url}", "",
        "Stripe: Developers > Webhooks > Add destination (or `partnersync webhooks setup "
        "--register --secret-file PATH`), two endpoints at the Stripe URL:",
        f"  1. events from your account: {', '.join(account.events)}",
        f"  2. events from connected accounts (Connect): {', '.join(connect.events)}",
        "  Both signing secrets (whsec_...) go in PARTNERSYNC_STRIPE_WEBHOOK_SECRET, "
        "separated by a comma.", "",
        "HubSpot: Settings > Integrations > Private Apps > your app > Webhooks > Edit "
        f"webhooks; Target URL {plan.hubspot_url}; then Create subscription for:",
        *(f"  {what}: {events}" for what, events in plan.hubspot),
        "  The app's client secret (its Auth tab) goes in PARTNERSYNC_HUBSPOT_CLIENT_SECRET.",
        "",
        f"Now: the Stripe receiver is {_state(settings.stripe_webhook_secret)}, the HubSpot "
        f"receiver is {_state(settings.hubspot_client_secret)}.",
    ]


def _state(secret: object) -> str:
    return "on" if secret is not None else "off (its secret is not set)"


def _writable(path: Path) -> None:
    """Before Stripe makes a secret: it must have somewhere to go."""
    target = path if path.exists() else path.resolve().parent
    if not os.access(target, os.W_OK):
        raise ConfigurationError(f"--secret-file {path}: not writable by this user; choose "
                                 "another path")


def write_secret(path: Path, secrets: list[str]) -> None:
    """The secrets, comma-separated as PARTNERSYNC_STRIPE_WEBHOOK_SECRET takes them, in a
    file only its owner reads (0600, even if it existed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (",".join(secrets) + "\n").encode())
    finally:
        os.close(descriptor)


def _register(services: Services, plan: Plan, secret_file: Path, out: Console) -> None:
    key = services.settings.stripe_api_key
    if key is None or not key.get_secret_value():
        raise ConfigurationError("PARTNERSYNC_STRIPE_API_KEY must be set to register "
                                 "Stripe's endpoints (its key needs Webhook Endpoints: write)")
    _writable(secret_file)
    done, extra = register_stripe(services.stripe_for(key.get_secret_value()), plan)
    plain(out)
    for item in done:
        name = "Connect" if item.kind == CONNECT else "account"
        plain(out, f"Stripe {name} endpoint {item.endpoint_id}: {item.action}")
    _report_secrets(done, secret_file, out)
    for endpoint_id in extra:
        plain(out, f"Also at {plan.stripe_url}: {endpoint_id}, a duplicate: delete it in "
                   "the Dashboard (Developers > Webhooks)")


def _report_secrets(done: list[Registered], secret_file: Path, out: Console) -> None:
    made = [item.secret for item in done if item.secret]
    if made:
        write_secret(secret_file, made)
        plain(out, f"The new signing secret{'s' if len(made) > 1 else ''} (never printed): "
                   f"{secret_file}, readable by you only. Put it in "
                   "PARTNERSYNC_STRIPE_WEBHOOK_SECRET, with the secret of any endpoint "
                   "that existed, comma-separated.")
    else:
        plain(out, f"No endpoint was created, so {secret_file} is left as it is: Stripe "
                   "shows an existing endpoint's signing secret in the Dashboard "
                   "(Developers > Webhooks > the endpoint > Signing secret).")


def _setup(args: argparse.Namespace) -> int:
    if args.register and args.secret_file is None:
        raise ConfigurationError(SECRET_FILE_MISSING)
    with open_services() as services:
        settings = services.settings
        if settings.webhook_public_url is None:
            raise ConfigurationError(PUBLIC_URL_MISSING)
        plan = plan_for(settings.webhook_public_url, services.props)
        out = console()
        for line in describe(plan, settings):
            plain(out, line)
        if args.register:
            _register(services, plan, args.secret_file, out)
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    webhooks = commands.add_parser("webhooks", help="Stripe's and HubSpot's webhooks "
                                                    "(README, Webhooks)")
    actions = webhooks.add_subparsers(dest="action", required=True, metavar="ACTION")
    setup = actions.add_parser(
        "setup", help="print the endpoints and the events to subscribe to; --register "
                      "creates or updates Stripe's endpoints")
    setup.add_argument("--register", action="store_true",
                       help="create Stripe's two endpoints, or bring their events up to "
                            "date (found by URL: running it again changes nothing)")
    setup.add_argument("--secret-file", type=output_file, metavar="PATH",
                       help="with --register: where to write the signing secret of an "
                            "endpoint it creates (mode 0600; never printed)")
    setup.set_defaults(handler=_setup)
