"""Stripe failures translated into the worker's exception tree (``sync/errors.py``).

stripe-python 16 raises, for a v1 call (``_api_requestor.specific_v1_api_error``):
429 -> ``RateLimitError``; 400/404 -> ``InvalidRequestError`` (``IdempotencyError``
when the error type is ``idempotency_error``); 401 -> ``AuthenticationError``;
402 -> ``CardError``; 403 -> ``PermissionError``; anything else (409, 5xx, a body
that is not JSON) -> ``APIError``; no answer at all -> ``APIConnectionError``.

What retrying can fix is retriable: 429, 5xx, network failures, and the two 409s
Stripe tells clients to retry (``lock_timeout``, ``idempotency_key_in_use``).
Everything else is fatal and carries Stripe's code and message, which finance can
act on (``balance_insufficient``, ``insufficient_capabilities_for_transfer``...).

Messages never carry the API key, nor any part of it: Stripe quotes the key it was
given, masked but showing its first 8 and last 4 characters, whatever its shape
(``Invalid API Key provided: bogus-SE****-123``, ``The provided key 'rk_live_...'``);
the key, anything shaped like one, what follows those phrases and any masked run of
asterisks are redacted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import stripe

from sync.adapters.retry import retry_after_seconds
from sync.errors import (
    AuthenticationError,
    NetworkError,
    RateLimited,
    RequestRejected,
    ServerError,
    UpstreamError,
)

API = "stripe"
# 409s Stripe asks clients to retry later; the same idempotency key then replays.
RETRIABLE_CODES = frozenset({"lock_timeout", "idempotency_key_in_use"})
# The key works but has no access to that account, or it does not exist (HTTP 403).
ACCOUNT_INVALID = "account_invalid"
RESOURCE_MISSING = "resource_missing"
IDEMPOTENCY_ERROR = "idempotency_error"
_KEY_SHAPED = re.compile(r"\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9*]+")
_QUOTED_KEY = re.compile(r"(?i)(api key provided:\s*|provided key\s*')[^\s']+")
_MASKED = re.compile(r"[^\s'\"]*\*{3,}[^\s'\"]*")
REDACTED_KEY = "[redacted key]"


def classify(
    error: stripe.StripeError, operation: str, secrets: Iterable[str] = ()
) -> UpstreamError:
    """Our exception for a stripe-python error raised by ``operation``."""
    status = error.http_status
    code = error_code(error)
    message = redact(describe(error, operation, status, code), secrets)
    if isinstance(error, stripe.APIConnectionError):
        return NetworkError(message, api=API, code="network")
    if isinstance(error, stripe.RateLimitError) or status == 429:
        return RateLimited(message, api=API, retry_after=retry_after_seconds(error.headers),
                           status=status)
    if code in RETRIABLE_CODES or _is_server_failure(error, status):
        return ServerError(message, api=API, status=status, code=code)
    if code != ACCOUNT_INVALID and (
        isinstance(error, stripe.AuthenticationError | stripe.PermissionError)
        or status in (401, 403)
    ):
        return AuthenticationError(message, api=API, status=status, code=code)
    return RequestRejected(message, api=API, status=status, code=code)


def _is_server_failure(error: stripe.StripeError, status: int | None) -> bool:
    """5xx, or a generic ``APIError`` outside 4xx (an unreadable body, say)."""
    if status is not None and status >= 500:
        return True
    is_client_error = status is not None and 400 <= status < 500
    return type(error) is stripe.APIError and not is_client_error


def error_code(error: stripe.StripeError) -> str | None:
    """Stripe's ``error.code``; ``idempotency_error`` (a type, without code) for those."""
    if error.code:
        return error.code
    body = error.error  # the parsed ``{"error": {...}}`` object, when there was one
    body_code = getattr(body, "code", None) if body is not None else None
    if body_code:
        return str(body_code)
    if isinstance(error, stripe.IdempotencyError):
        return IDEMPOTENCY_ERROR
    return None


def describe(
    error: stripe.StripeError, operation: str, status: int | None, code: str | None
) -> str:
    """``Stripe transfers.create failed (HTTP 400, balance_insufficient): <message>``."""
    detail = ", ".join(part for part in (f"HTTP {status}" if status else None, code) if part)
    reason = _reason(error)
    request = f" [request {error.request_id}]" if error.request_id else ""
    return f"Stripe {operation} failed ({detail or 'no answer'}): {reason}{request}"


def _reason(error: stripe.StripeError) -> str:
    if isinstance(error, stripe.APIConnectionError):
        cause = error.__cause__
        kind = type(cause).__name__ if cause is not None else "connection error"
        return f"could not reach Stripe ({kind}: timeout, refused or dropped connection)"
    return (error.user_message or "no message").strip()


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED_KEY)
    text = _QUOTED_KEY.sub(lambda found: found.group(1) + REDACTED_KEY, text)
    return _MASKED.sub(REDACTED_KEY, _KEY_SHAPED.sub(REDACTED_KEY, text))


def is_missing_account(error: UpstreamError) -> bool:
    """A deleted, unknown or disconnected Connect account (404 or 403 ``account_invalid``)."""
    if error.code == ACCOUNT_INVALID:
        return True
    return error.status == 404 and error.code == RESOURCE_MISSING


def retry_reason(error: UpstreamError) -> str:
    """The ``reason`` label of ``API_RETRIES``: ``rate_limited``, ``network``, ``server_error``."""
    if isinstance(error, RateLimited):
        return "rate_limited"
    return "network" if isinstance(error, NetworkError) else "server_error"


def status_class(error: UpstreamError) -> str:
    """The ``status`` label of ``API_CALLS``: ``429``, ``4xx``, ``5xx`` or ``network``."""
    if isinstance(error, NetworkError):
        return "network"
    if error.status is None:
        return "unknown"
    return "429" if error.status == 429 else f"{error.status // 100}xx"
