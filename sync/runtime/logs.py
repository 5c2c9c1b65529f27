"""Structured logs: JSON in containers, console on a terminal, secrets redacted.

Every job run ends with one canonical summary line (structlog's "one line per unit of
work"); secrets known to the process are scrubbed from every event before rendering.
Logs go to standard error: standard output is the commands' own (tables, plans, CSV).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, Literal

import structlog

REDACTED = "[redacted]"
_SECRET_KEYS = ("token", "api_key", "authorization", "password", "secret")
_SECRET_SHAPES = (
    re.compile(r"\b(sk|rk|pk|whsec)_(live|test)_[A-Za-z0-9]+"),  # Stripe keys
    re.compile(r"\bpat-[A-Za-z0-9-]+"),  # HubSpot private-app tokens
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?<=://)[^/@\s:]+:[^/@\s]+(?=@)"),  # user:password in URLs
)


def redact_secret_shapes(text: str) -> str:
    """``text`` without anything shaped like a key, a token or a URL's password, for
    text whose secrets are not all known (a vendor's or a driver's message)."""
    for pattern in _SECRET_SHAPES:
        text = pattern.sub(REDACTED, text)
    return text


class SecretScrubber:
    """A structlog processor replacing known secret values and secret-looking keys."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _clean(self, key: str, value: Any) -> Any:
        if any(marker in key.lower() for marker in _SECRET_KEYS):
            return REDACTED
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {k: self._clean(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._clean(key, item) for item in value]
        return value

    def __call__(self, logger: Any, method: str,
                 event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        return {key: self._clean(key, value) for key, value in event.items()}


def configure_logging(fmt: Literal["console", "json"], secrets: Iterable[str] = (),
                      level: int = logging.INFO) -> None:
    renderer: Any = (structlog.processors.JSONRenderer() if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=False, sort_keys=False))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            SecretScrubber(secrets),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    """A logger on the current ``sys.stderr`` (looked up per logger, so a redirected
    or captured stream is honoured)."""
    return structlog.PrintLogger(sys.stderr)
