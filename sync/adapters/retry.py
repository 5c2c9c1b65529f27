"""The one retry policy for every API call (tenacity).

Retries exactly the ``RetriableUpstreamError`` family: 429 (waiting what
``Retry-After`` or HubSpot's policy asks), 5xx and network failures; caps attempts
and re-raises the last error. The SDKs' own retries are switched off by the
adapters, so retries are never stacked. Each retry is one warning line
(``api.retrying``: which API and operation, why, which attempt comes next and in how
many seconds), so an operator sees why a run waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from sync.errors import RateLimited, RetriableUpstreamError

T = TypeVar("T")
log = structlog.get_logger("partnersync.retry")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    initial_wait: float = 0.5  # seconds; doubles with full jitter
    max_wait: float = 30.0  # never sleep longer than this per attempt
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """``Retry-After`` in seconds, read case-insensitively; ``None`` when absent or an
    HTTP date (HubSpot and Stripe send seconds; the backoff covers the rest)."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    backoff = wait_random_exponential(multiplier=policy.initial_wait, max=policy.max_wait)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), policy.max_wait)
        return float(backoff(state))

    return wait


def call_with_retry(
    operation: Callable[[], T],
    policy: RetryPolicy,
    on_retry: Callable[[RetriableUpstreamError, int], None] | None = None,
    *,
    what: str | None = None,
) -> T:
    """Run ``operation``; retry retriable failures per ``policy``; re-raise the last one.
    ``what`` names the operation in the retry's warning line."""

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        if not isinstance(error, RetriableUpstreamError):
            return
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log.warning("api.retrying", api=error.api, operation=what,
                    attempt=state.attempt_number + 1, max_attempts=policy.max_attempts,
                    in_seconds=round(wait, 1), error=str(error))
        if on_retry is not None:
            on_retry(error, state.attempt_number)

    retrying = Retrying(
        retry=retry_if_exception_type(RetriableUpstreamError),
        stop=stop_after_attempt(policy.max_attempts),
        wait=_wait(policy),
        sleep=policy.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(operation)
