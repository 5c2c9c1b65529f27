"""Every check of ``partnersync doctor``, in the order an operator fixes things: the
settings, the programme file, the database, HubSpot, Stripe.

Nothing is written anywhere. Each vendor is checked on its own credential, so a missing
Stripe key still lets HubSpot be checked. Calls go through the adapters with the one
retry policy, given fewer tries than a run's: doctor answers in seconds.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import SecretStr

from sync.adapters.retry import RetryPolicy
from sync.config.settings import Settings, load_settings
from sync.doctor.checks import Check
from sync.doctor.database import check_database
from sync.doctor.hubspot import TOKEN, hubspot_checks
from sync.doctor.local import PROGRAMME, check_programme, check_settings, check_webhooks
from sync.doctor.stripe import KEY, stripe_checks
from sync.wiring import Services

DOCTOR_RETRY = RetryPolicy(max_attempts=3)


def run_doctor(load: Callable[[], Settings] = load_settings,
               retry: RetryPolicy | None = None) -> list[Check]:
    settings_check, settings = check_settings(load)
    if settings is None:
        reason = "not checked: the settings are not valid"
        return [settings_check, Check.skip(PROGRAMME, "programme file", reason),
                Check.skip("database", "database", reason),
                Check.skip(TOKEN, "HubSpot token", reason),
                Check.skip(KEY, "Stripe key", reason)]
    programme_check, programme = check_programme(settings)
    database = check_database(settings)
    services = Services(settings, retry=retry or DOCTOR_RETRY)
    services.configure_logging()  # retries warn on stderr, secrets scrubbed; stdout: the checklist
    token, key = _secret(settings.hubspot_access_token), _secret(settings.stripe_api_key)
    try:
        hubspot = hubspot_checks(services.hubspot_for(token) if token else None,
                                 settings.hubspot_base_url, services.props, programme)
        stripe = stripe_checks(services.stripe_for(key) if key else None, key,
                               settings.stripe_api_base, database.waiting)
    finally:
        services.close()
    return [settings_check, programme_check, check_webhooks(settings), database.check,
            *hubspot, *stripe]


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() or None if value is not None else None
