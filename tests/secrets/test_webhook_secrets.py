"""The webhook secrets are in the settings' list, each Stripe endpoint's on its own, for
the log scrubber and the one-line failures, even when the settings did not load; a
value that is not Stripe's signing secret is refused without being repeated."""

from __future__ import annotations

import pytest

from sync.config.settings import Settings, load_settings, secrets_in_environment
from sync.errors import ConfigurationError

STRIPE_PAIR = "whsec_account_0123456789,whsec_connect_9876543210"
HUBSPOT = "hubspot-client-secret-0123"


def test_the_settings_list_both_secrets_and_each_stripe_endpoint_s() -> None:
    settings = Settings(stripe_webhook_secret=STRIPE_PAIR,  # type: ignore[arg-type]
                        hubspot_client_secret=HUBSPOT,  # type: ignore[arg-type]
                        database_url="sqlite:///ledger.db")
    assert settings.secrets() == [STRIPE_PAIR, HUBSPOT, "whsec_account_0123456789",
                                  "whsec_connect_9876543210"]
    assert "whsec_" not in repr(settings) and HUBSPOT not in repr(settings)
    assert settings.webhooks_on


def test_the_environment_lists_them_before_the_settings_load(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", "PARTNERSYNC_STRIPE_API_KEY",
                 "PARTNERSYNC_DATABASE_URL", "PARTNERSYNC_PORTAL_SECRET_KEY",
                 "PARTNERSYNC_SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARTNERSYNC_STRIPE_WEBHOOK_SECRET", STRIPE_PAIR)
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_CLIENT_SECRET", HUBSPOT)
    assert secrets_in_environment() == [STRIPE_PAIR, HUBSPOT, "whsec_account_0123456789",
                                        "whsec_connect_9876543210"]


def test_a_value_that_is_not_a_signing_secret_is_refused_unrepeated(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSYNC_STRIPE_WEBHOOK_SECRET", "sk_live_pasted_by_mistake")
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    assert str(refused.value).startswith("PARTNERSYNC_STRIPE_WEBHOOK_SECRET: expected "
                                         "Stripe's endpoint signing secret, whsec_...")
    assert "pasted" not in str(refused.value)


def test_empty_secrets_leave_the_receivers_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSYNC_STRIPE_WEBHOOK_SECRET", "")
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_CLIENT_SECRET", " ")
    assert not load_settings().webhooks_on
