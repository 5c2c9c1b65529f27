"""The portal's secrets are in the settings' list: its cookie-signing key and the SMTP
server's password (as written in the URL and decoded), for the log scrubber and for the
one-line failures, even when the settings did not load."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr

import pytest
import structlog

from sync.config.settings import Settings, load_settings, secrets_in_environment
from sync.errors import ConfigurationError
from sync.runtime.logs import REDACTED
from sync.wiring import Services
from tests.secrets.conftest import PORTAL_SECRET, SMTP_PASSWORD

SMTP_URL = "smtps://mailer:smtp-p%40ss-word@mail.example.com:465"


def test_the_settings_list_the_portal_key_and_the_smtp_password() -> None:
    settings = Settings(portal_secret_key=PORTAL_SECRET, smtp_url=SMTP_URL,
                        database_url="sqlite:///ledger.db")
    assert settings.secrets() == [PORTAL_SECRET, "smtp-p%40ss-word", "smtp-p@ss-word"]
    assert PORTAL_SECRET not in repr(settings)
    assert "smtp-p" not in repr(settings)


def test_the_environment_lists_them_before_the_settings_load(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", "PARTNERSYNC_STRIPE_API_KEY",
                 "PARTNERSYNC_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARTNERSYNC_PORTAL_SECRET_KEY", "short")  # invalid, still secret
    monkeypatch.setenv("PARTNERSYNC_SMTP_URL", f"smtp://mailer:{SMTP_PASSWORD}@mail:587")
    assert secrets_in_environment() == ["short", SMTP_PASSWORD]


def test_the_worker_logs_scrub_the_portal_key_and_the_smtp_password() -> None:
    services = Services(Settings(portal_secret_key=PORTAL_SECRET, log_format="json",
                                 smtp_url=f"smtp://mailer:{SMTP_PASSWORD}@mail:587"))
    out = io.StringIO()
    try:
        with redirect_stderr(out):
            services.configure_logging()
            structlog.get_logger("partnersync.portal").error(
                "portal.failed", error=f"bad signature with key {PORTAL_SECRET}",
                detail=f"535 auth failed for mailer/{SMTP_PASSWORD}")
    finally:
        structlog.reset_defaults()
        services.close()
    line = json.loads(out.getvalue())
    assert line["error"] == f"bad signature with key {REDACTED}"
    assert line["detail"] == f"535 auth failed for mailer/{REDACTED}"


def test_a_short_key_or_a_malformed_smtp_url_is_refused_without_repeating_it() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTNERSYNC_PORTAL_SECRET_KEY", "tooshort")
        patch.setenv("PARTNERSYNC_SMTP_URL", f"http://mailer:{SMTP_PASSWORD}@mail")
        with pytest.raises(ConfigurationError, match="PARTNERSYNC_PORTAL_SECRET_KEY: too short") as error:
            load_settings()
    assert "PARTNERSYNC_SMTP_URL: expected smtp://" in str(error.value)
    assert "tooshort" not in str(error.value)
    assert SMTP_PASSWORD not in str(error.value)
