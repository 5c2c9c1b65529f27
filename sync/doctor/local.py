"""The configuration itself: the ``PARTNERSYNC_*`` variables and the programme file."""

from __future__ import annotations

from collections.abc import Callable

from sync.config.programme_file import load_programme
from sync.config.settings import Settings
from sync.doctor.checks import Check
from sync.domain.terms import Programme
from sync.errors import ConfigurationError

SETTINGS, PROGRAMME, WEBHOOKS = "settings", "programme", "webhooks"


def check_settings(load: Callable[[], Settings]) -> tuple[Check, Settings | None]:
    """The variables as the worker reads them at start; their message names each bad one."""
    try:
        settings = load()
    except ConfigurationError as error:
        return Check.fail(SETTINGS, "settings", str(error),
                          "correct the variables named (docs/configuration.md lists them)"
                          ), None
    return Check.ok(SETTINGS, "settings", "the PARTNERSYNC_* variables are valid"), settings


def check_programme(settings: Settings) -> tuple[Check, Programme | None]:
    path = settings.programme_file
    label = "programme file"
    try:
        programme = load_programme(path)
    except ConfigurationError as error:
        return Check.fail(PROGRAMME, label, str(error),
                          "correct the programme file (docs/configuration.md lists every "
                          "key) or PARTNERSYNC_PROGRAMME_FILE"), None
    if path is None:
        return Check.ok(PROGRAMME, label, "none set: the defaults of docs/configuration.md "
                        "apply"), programme
    return Check.ok(PROGRAMME, label, f"{path} is valid"), programme


def check_webhooks(settings: Settings) -> Check:
    """Which receivers ``serve`` runs (each on when its secret is set), and where."""
    on = [vendor for vendor, secret in (("Stripe", settings.stripe_webhook_secret),
                                        ("HubSpot", settings.hubspot_client_secret))
          if secret is not None]
    if not on:
        return Check.ok(WEBHOOKS, "webhooks", "off (neither PARTNERSYNC_STRIPE_WEBHOOK_SECRET "
                        "nor PARTNERSYNC_HUBSPOT_CLIENT_SECRET is set): the scheduled syncs "
                        "alone")
    where = f"{settings.resolved_webhook_host}:{settings.webhook_port}"
    public = settings.webhook_public_url
    if "HubSpot" in on and public is None:
        return Check.warn(WEBHOOKS, "webhooks", f"{' and '.join(on)} on, on {where}, without "
                          "PARTNERSYNC_WEBHOOK_PUBLIC_URL: HubSpot's signatures are checked "
                          "against the URL a request arrives with, not the one HubSpot called",
                          "set PARTNERSYNC_WEBHOOK_PUBLIC_URL to the base URL HubSpot calls "
                          "(`partnersync webhooks setup` prints the endpoints)")
    return Check.ok(WEBHOOKS, "webhooks", f"{' and '.join(on)} on, on {where}"
                    + (f", called at {public}/webhooks/..." if public else ""))
