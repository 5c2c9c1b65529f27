"""Configuration (docs/configuration.md): defaults, validation naming the variable, secrets hidden."""

import pytest

from sync.config.settings import load_settings
from sync.errors import ConfigurationError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    for name in list(os.environ):
        if name.startswith("PARTNERSYNC_"):
            monkeypatch.delenv(name)


def test_defaults_match_the_contract() -> None:
    settings = load_settings()
    assert settings.hubspot_base_url == "https://api.hubapi.com"
    assert settings.stripe_api_base == "https://api.stripe.com"
    assert settings.database_url == "sqlite:///partnersync.db"
    assert settings.programme_file is None
    assert settings.hubspot_access_token is None and settings.stripe_api_key is None


def test_a_malformed_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_BASE_URL", "api.hubapi.com")
    monkeypatch.setenv("PARTNERSYNC_LOG_FORMAT", "xml")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert "PARTNERSYNC_HUBSPOT_BASE_URL: expected an http:// or https:// URL" in message
    assert "PARTNERSYNC_LOG_FORMAT" in message


def test_missing_credentials_are_named_and_secrets_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="PARTNERSYNC_HUBSPOT_ACCESS_TOKEN and PARTNERSYNC_STRIPE_API_KEY"):
        load_settings().require_credentials()
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", "pat-na1-very-secret")
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_KEY", "rk_live_very_secret")
    settings = load_settings()
    assert settings.require_credentials() == ("pat-na1-very-secret", "rk_live_very_secret")
    assert "very-secret" not in repr(settings) and "very_secret" not in str(settings)


def test_the_health_max_sync_age_is_two_hours_and_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().health_max_sync_age_seconds == 7200
    monkeypatch.setenv("PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS", "10800")
    assert load_settings().health_max_sync_age_seconds == 10800
    monkeypatch.setenv("PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS", "0")
    with pytest.raises(ConfigurationError, match="PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS: "
                                                 "Input should be greater than 0"):
        load_settings()
