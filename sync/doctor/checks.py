"""A doctor's check: one line of the checklist, with the fix when it is not ok.

A failure says why it failed: a configuration the operator must change (exit 2) or an
upstream (HubSpot, Stripe, the database server) that did not answer (exit 3). A check
that could not run because an earlier one failed is ``skip``, saying which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sync.errors import (
    DailyLimitReached,
    NetworkError,
    RateLimited,
    RetriableUpstreamError,
    UpstreamError,
)


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


class Cause(StrEnum):
    CONFIGURATION = "configuration"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Check:
    id: str  # stable, for scripts: "hubspot.scopes", "stripe.permission.transfers"
    label: str  # for people: "HubSpot scopes"
    status: Status
    detail: str
    fix: str | None = None
    cause: Cause | None = None  # a failure's kind

    @classmethod
    def ok(cls, id: str, label: str, detail: str) -> Check:
        return cls(id, label, Status.OK, detail)

    @classmethod
    def warn(cls, id: str, label: str, detail: str, fix: str | None = None) -> Check:
        return cls(id, label, Status.WARN, detail, fix)

    @classmethod
    def fail(cls, id: str, label: str, detail: str, fix: str,
             cause: Cause = Cause.CONFIGURATION) -> Check:
        return cls(id, label, Status.FAIL, detail, fix, cause)

    @classmethod
    def unreachable(cls, id: str, label: str, detail: str, fix: str) -> Check:
        return cls.fail(id, label, detail, fix, Cause.UNREACHABLE)

    @classmethod
    def skip(cls, id: str, label: str, detail: str) -> Check:
        return cls(id, label, Status.SKIP, detail)


def worst_cause(checks: Iterable[Check]) -> Cause | None:
    """The failure that decides the exit status: a configuration to change comes first
    (fixing it needs the operator whatever the network does), then an unreachable
    upstream; None when nothing failed."""
    causes = {check.cause for check in checks if check.status is Status.FAIL}
    for cause in (Cause.CONFIGURATION, Cause.UNREACHABLE):
        if cause in causes:
            return cause
    return None


def unreachable_reason(error: UpstreamError) -> str:
    """Why an upstream counts as unreachable, without its (possibly long) message."""
    if isinstance(error, NetworkError):
        return "no answer (refused, timed out or dropped)"
    if isinstance(error, RateLimited):
        return "still rate limited (HTTP 429)"
    if isinstance(error, DailyLimitReached):
        return "the portal's daily API limit is spent"
    return f"HTTP {error.status}" if error.status else "no usable answer"


def is_unreachable(error: UpstreamError) -> bool:
    """What the retry policy gave up on, or HubSpot's spent daily limit (exit 3)."""
    return isinstance(error, RetriableUpstreamError | DailyLimitReached)
