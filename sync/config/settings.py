"""The worker's configuration: ``PARTNERSYNC_*`` environment variables, read once.

docs/configuration.md lists the variables. A missing or malformed setting stops the worker at
start with one message naming the setting (exit status 2). Secrets are ``SecretStr``
so they never print, in logs, errors, plans or reports.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync.errors import ConfigurationError
from sync.ledger.database import check_url, url_password


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNERSYNC_", extra="ignore", frozen=True)

    hubspot_access_token: SecretStr | None = None
    hubspot_base_url: str = "https://api.hubapi.com"
    stripe_api_key: SecretStr | None = None
    stripe_api_base: str = "https://api.stripe.com"
    database_url: str = "sqlite:///partnersync.db"
    programme_file: Path | None = None
    log_format: Literal["console", "json"] | None = None  # None: by terminal
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Scheduling and serving (`partnersync serve`), cron expressions in UTC.
    schedule_sync: str = "0 * * * *"
    schedule_month_close: str = "30 0 * * *"
    schedule_pay: str = "*/15 * * * *"
    serve_host: str = "127.0.0.1"
    serve_port: int = Field(9108, ge=0, le=65535)  # 0: any free port
    # /healthz answers 503 once no sync has succeeded for this long: two hourly syncs
    # missed, with room for one that runs long.
    health_max_sync_age_seconds: float = Field(7200.0, gt=0)
    hubspot_rate_limit_per_10s: int = Field(100, ge=1)
    # HubSpot's v4 association batches are limited apart from the other calls: 100 per
    # 10 s on Free/Starter portals, 150 on Professional/Enterprise (docs/configuration.md).
    hubspot_association_rate_limit_per_10s: int = Field(100, ge=1)
    # Benchmarks against time-scaled stand-ins: the APIs' windows pass this many times
    # faster, so the pacers' do too. 1 (real time) everywhere else.
    pacing_time_scale: float = Field(1.0, gt=0)
    # Incremental reads start this long before the last one did: the worker's and the
    # vendors' clocks may differ, and their search indexes lag behind a write.
    pull_overlap_seconds: float = Field(600.0, ge=0)
    # Who runs the command line's decisions when --by is not given: a person, as HubSpot
    # knows them (an email), so approvals are recognised across both (R33).
    operator: str | None = None
    # The partner portal (docs/portal.md): off until a secret key signs its cookies.
    portal_secret_key: SecretStr | None = None
    portal_url: str | None = None  # the public base of sign-in links; default: the portal's
    # The portal listens on its own port, apart from /healthz, /readyz and /metrics
    # (internal), so that it alone is exposed. Host: PARTNERSYNC_SERVE_HOST by default.
    portal_host: str | None = None
    portal_port: int = Field(9110, ge=0, le=65535)  # 0: any free port
    # Reverse proxies in front of the portal whose X-Forwarded-For/-Proto/-Host to trust
    # (ProxyFix): 0 trusts none, the portal then sees the proxy as every client.
    portal_trusted_proxies: int = Field(0, ge=0, le=10)
    smtp_url: SecretStr | None = None  # smtps://, smtp:// (STARTTLS), smtp+insecure://
    smtp_from: str | None = None
    # Webhooks (docs/configuration.md, Webhooks): each endpoint is on when its secret is
    # set, on a port of its own (the one the vendors call). The Stripe secret: one or
    # more whsec_..., comma-separated (the account endpoint's and the Connect one's).
    stripe_webhook_secret: SecretStr | None = None
    hubspot_client_secret: SecretStr | None = None
    webhook_host: str | None = None  # default: PARTNERSYNC_SERVE_HOST
    webhook_port: int = Field(9111, ge=0, le=65535)  # 0: any free port
    webhook_public_url: str | None = None  # the base the vendors call; HubSpot signs it
    # How long the first pending event waits for others before a targeted sync runs.
    webhook_debounce_seconds: float = Field(5.0, ge=0, le=3600)

    @field_validator("hubspot_base_url", "stripe_api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("portal_host", "webhook_host")
    @classmethod
    def _optional_host(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @field_validator("operator")
    @classmethod
    def _operator(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @field_validator("portal_url", "webhook_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")) or not urlsplit(value).hostname:
            raise ValueError("expected the public http:// or https:// base URL, e.g. "
                             "https://partners.example.com")
        return value.strip().rstrip("/")

    @field_validator("stripe_webhook_secret")
    @classmethod
    def _stripe_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not all(part.startswith("whsec_") for part in split_secrets(value)):
            raise ValueError("expected Stripe's endpoint signing secret, whsec_... (several "
                             "separated by commas); `partnersync webhooks setup` says where "
                             "to find it")
        return value

    @field_validator("hubspot_client_secret")
    @classmethod
    def _hubspot_client_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("portal_secret_key")
    @classmethod
    def _portal_secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value()) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(f"too short: at least {MIN_SECRET_KEY_LENGTH} characters "
                             f"({KEY_HOWTO})")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        smtp_parts(value.get_secret_value())  # raises ValueError naming what is wrong
        return value

    @field_validator("smtp_from")
    @classmethod
    def _smtp_from(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if "@" not in value:
            raise ValueError("expected the sender's email address, e.g. "
                             "partners@vmcloud.example")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        check_url(value)  # the form only; the file or server is checked when opened
        return value

    @property
    def resolved_log_format(self) -> Literal["console", "json"]:
        if self.log_format is not None:
            return self.log_format
        return "console" if sys.stderr.isatty() else "json"

    def require_credentials(self) -> tuple[str, str]:
        """The tokens a real run needs; outside the sandbox both are mandatory."""
        missing = [name for name, value in (
            ("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", self.hubspot_access_token),
            ("PARTNERSYNC_STRIPE_API_KEY", self.stripe_api_key),
        ) if value is None or not value.get_secret_value()]
        if missing:
            raise ConfigurationError(f"{' and '.join(missing)} must be set (see README)")
        assert self.hubspot_access_token is not None and self.stripe_api_key is not None
        return self.hubspot_access_token.get_secret_value(), self.stripe_api_key.get_secret_value()

    @property
    def resolved_portal_host(self) -> str:
        """Where the portal listens: PARTNERSYNC_PORTAL_HOST, else PARTNERSYNC_SERVE_HOST."""
        return self.portal_host or self.serve_host

    @property
    def resolved_webhook_host(self) -> str:
        """Where the webhook receivers listen: PARTNERSYNC_WEBHOOK_HOST, else serve's host."""
        return self.webhook_host or self.serve_host

    @property
    def webhooks_on(self) -> bool:
        """Either receiver is on (its secret is set): ``serve`` listens for webhooks."""
        return self.stripe_webhook_secret is not None or self.hubspot_client_secret is not None

    @property
    def resolved_portal_url(self) -> str:
        """The base of sign-in links: PARTNERSYNC_PORTAL_URL, else where the portal listens."""
        return self.portal_url or f"http://{self.resolved_portal_host}:{self.portal_port}"

    def require_portal_secret(self) -> str:
        if self.portal_secret_key is None:
            raise ConfigurationError(
                "PARTNERSYNC_PORTAL_SECRET_KEY is not set: the portal signs its session "
                f"cookies with it and is off without it ({KEY_HOWTO})")
        return self.portal_secret_key.get_secret_value()

    def secrets(self) -> list[str]:
        """What no log line or message may show: the credentials, the portal's secret
        key, and the passwords in the database's and the SMTP server's URLs (a driver's
        error may repeat a URL)."""
        values = [self.hubspot_access_token, self.stripe_api_key, self.portal_secret_key,
                  self.stripe_webhook_secret, self.hubspot_client_secret]
        found = [value.get_secret_value() for value in values
                 if value is not None and value.get_secret_value()]
        if self.stripe_webhook_secret is not None:
            found += split_secrets(self.stripe_webhook_secret)
        smtp = "" if self.smtp_url is None else self.smtp_url.get_secret_value()
        return _with_passwords(found, self.database_url, smtp)


MIN_SECRET_KEY_LENGTH = 16
KEY_HOWTO = ("set it to a long random value, e.g. the output of "
             "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`")
SECRET_VARIABLES = ("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", "PARTNERSYNC_STRIPE_API_KEY",
                    "PARTNERSYNC_PORTAL_SECRET_KEY", "PARTNERSYNC_STRIPE_WEBHOOK_SECRET",
                    "PARTNERSYNC_HUBSPOT_CLIENT_SECRET")
SMTPS, SMTP_INSECURE = "smtps", "smtp+insecure"
# smtp: STARTTLS required; smtps: TLS from the start; smtp+insecure: a deliberate relay
# in clear on a trusted network (no password: it would travel in clear).
SMTP_SCHEMES = {"smtp": 587, SMTPS: 465, SMTP_INSECURE: 25}


def split_secrets(value: SecretStr) -> list[str]:
    """A comma-separated secret's parts, stripped (Stripe: one per webhook endpoint)."""
    return [part.strip() for part in value.get_secret_value().split(",") if part.strip()]


def smtp_parts(url: str) -> SplitResult:
    """``url`` split, once checked to be smtp:// or smtps://[user:password@]host[:port],
    or smtp+insecure://host[:port]; a ``ValueError`` saying what is wrong (never
    repeating the password) otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise ValueError("expected smtp://user:password@host:port (STARTTLS) or "
                         "smtps://user:password@host:port (TLS)")
    try:
        _ = parts.port
    except ValueError:
        raise ValueError("the port must be a number from 1 to 65535") from None
    if parts.scheme == SMTP_INSECURE and (parts.username or parts.password):
        raise ValueError("smtp+insecure:// sends in clear, so it takes no user or password: "
                         "use smtp:// (STARTTLS) or smtps:// (TLS) to log in")
    return parts


def smtp_passwords(url: str) -> list[str]:
    """The password in an SMTP URL, as written and decoded (a message repeating the URL
    carries the first, a server's error the second)."""
    try:
        password = urlsplit(url.strip()).password
    except ValueError:
        return []
    return sorted({password, unquote(password)}) if password else []


def secrets_in_environment() -> list[str]:
    """The credentials as the environment holds them, valid or not: what an error
    message must never show, even when the settings did not load."""
    found = [value for name in SECRET_VARIABLES if (value := os.environ.get(name, "").strip())]
    found += [part.strip() for part in os.environ.get("PARTNERSYNC_STRIPE_WEBHOOK_SECRET", "")
              .split(",") if part.strip()]  # one secret per Stripe endpoint
    return _with_passwords(found, os.environ.get("PARTNERSYNC_DATABASE_URL", ""),
                           os.environ.get("PARTNERSYNC_SMTP_URL", ""))


def _with_passwords(secrets: list[str], database_url: str, smtp_url: str) -> list[str]:
    database = url_password(database_url)
    return [*secrets, *([database] if database else []), *smtp_passwords(smtp_url)]


def load_settings() -> Settings:
    """Read the environment once; a bad value names its variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = "PARTNERSYNC_" + "_".join(str(part) for part in item["loc"]).upper()
            problems.append(f"{name}: {item['msg'].removeprefix('Value error, ')}")
        raise ConfigurationError("; ".join(problems)) from None
