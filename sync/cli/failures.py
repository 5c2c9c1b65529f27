"""How a failed command ends: one ``partnersync:`` line naming what to fix, with the exit
status of docs/configuration.md ("Command line"):

- 2: configuration -- a missing or malformed setting or argument, and credentials that
  HubSpot or Stripe refuse (401) or that lack a permission (403);
- 3: HubSpot or Stripe stayed unavailable after the retries, HubSpot's daily limit, or
  the ledger's database did not answer: nothing is half-written, the next run resumes;
- 1: anything else, an unexpected error included (``--debug`` shows its traceback).

Every printed text goes through the secret scrubber first: the credentials in the
environment, anything shaped like a key or token, a password in a database URL.
"""

from __future__ import annotations

import re
import sys
import traceback
from dataclasses import dataclass

from sync.config.settings import secrets_in_environment
from sync.errors import (
    AuthenticationError,
    ConfigurationError,
    DailyLimitReached,
    DatabaseUnavailable,
    PartnerSyncError,
    RetriableUpstreamError,
)
from sync.ledger.database import database_failure
from sync.runtime.logs import SecretScrubber, redact_secret_shapes

EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_UPSTREAM = 0, 1, 2, 3
# What each API's credential is called, what it is, and where its permissions are set.
CREDENTIALS = {
    "hubspot": ("HubSpot", "PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", "private-app token",
                "give the private app the scopes the README lists"),
    "stripe": ("Stripe", "PARTNERSYNC_STRIPE_API_KEY", "secret or restricted key",
               "give the restricted key the permissions the README lists"),
}
RESUMES = "nothing is half-written: run again later and it resumes"


@dataclass(frozen=True, slots=True)
class Failure:
    status: int
    message: str  # without the ``partnersync:`` prefix


def describe(error: BaseException) -> Failure:
    """The exit status and the line for ``error``."""
    if isinstance(error, ConfigurationError):
        return Failure(EXIT_CONFIG, f"configuration error: {error}")
    if isinstance(error, AuthenticationError):
        return _refused(error)
    if isinstance(error, DailyLimitReached | RetriableUpstreamError):
        return Failure(EXIT_UPSTREAM, f"upstream unavailable: {error}; {RESUMES}")
    if isinstance(error, DatabaseUnavailable):
        return Failure(EXIT_UPSTREAM, f"database unavailable: {error}; check that it runs "
                                      "and that PARTNERSYNC_DATABASE_URL names it")
    if isinstance(error, PartnerSyncError):
        return Failure(EXIT_ERROR, str(error))
    if isinstance(error, KeyboardInterrupt):
        return Failure(EXIT_ERROR, "interrupted")
    known = database_failure(error)
    if known is not None:
        return describe(known)
    if isinstance(error, OSError) and error.filename is not None:
        return Failure(EXIT_ERROR, f"cannot write or read {error.filename}: "
                                   f"{error.strerror or error}")
    return Failure(EXIT_ERROR, f"unexpected error ({type(error).__name__}: {error}); run "
                               "again with --debug for the traceback, and report it")


def _refused(error: AuthenticationError) -> Failure:
    api, variable, what, permissions = CREDENTIALS.get(
        error.api, (error.api, "the credentials", "credential", "check its permissions"))
    if error.status == 403:
        return Failure(EXIT_CONFIG, f"configuration error: {variable} lacks a permission "
                                    f"({error}): {permissions}")
    return Failure(EXIT_CONFIG, f"configuration error: {api} refused {variable} ({error}): "
                                f"set it to a valid {what}")


def report(error: BaseException, *, debug: bool) -> int:
    """Print the failure (after its traceback with ``debug``); return the exit status."""
    failure = describe(error)
    if debug:
        print(_clean("".join(traceback.format_exception(error))).rstrip(), file=sys.stderr)
    line = re.sub(r"\s*\n\s*", " ", _clean(failure.message)).strip()
    print(f"partnersync: {line}", file=sys.stderr)
    return failure.status


def _clean(text: str) -> str:
    return redact_secret_shapes(SecretScrubber(secrets_in_environment()).scrub(text))
