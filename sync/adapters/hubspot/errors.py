"""HubSpot failures to the worker's exception tree (``sync.errors``).

One place decides what a HubSpot answer means: 429 is ``RateLimited`` (waiting what
``Retry-After`` or the policy's window asks) unless the DAILY quota is spent, 5xx is
``ServerError``, urllib3 transport failures are ``NetworkError``, 401/403 are
``AuthenticationError`` and any other 4xx is ``RequestRejected`` with HubSpot's
``category`` as code, or ``SetupRejected`` when HubSpot's details say the setup is at
fault (``setup_refusal``). Messages carry status, category, HubSpot's message and
correlation id, never the token (scrubbed anyway, in case HubSpot echoed it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from hubspot.crm.associations.v4 import ApiException as AssociationsApiException
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.schemas import ApiException as SchemasApiException
from hubspot.oauth import ApiException as OAuthApiException
from hubspot.settings.users import ApiException as UsersApiException

from sync.adapters.retry import retry_after_seconds
from sync.errors import (
    AuthenticationError,
    DailyLimitReached,
    NetworkError,
    RateLimited,
    RequestRejected,
    ServerError,
    SetupRejected,
    UpstreamError,
)
from sync.runtime.logs import SecretScrubber

API = "hubspot"
DAILY_POLICY = "DAILY"

# Each SDK package has its own ApiException class; these are the packages we call.
SDK_API_EXCEPTIONS: tuple[type[Exception], ...] = (
    ObjectsApiException,
    AssociationsApiException,
    PropertiesApiException,
    SchemasApiException,
    UsersApiException,
    OAuthApiException,
)

# A 400's details (``errors[].code``, or the ``error`` of each item HubSpot lists in
# "Property values were not valid: [...]") that name the setup, not the values: a
# property missing from the account, an enumeration value (the worker writes only
# configured ones) that is not among its options.
SETUP_CODES = frozenset({"PROPERTY_DOESNT_EXIST", "INVALID_OPTION"})
# HubSpot's own setup properties: a deal's pipeline and stage come from configuration.
SETUP_PROPERTIES = frozenset({"pipeline", "dealstage"})
_DETAIL_CODE = re.compile(r"""["']error["']\s*:\s*["']([A-Z_]+)["']""")
_DETAIL_NAME = re.compile(r"""["']name["']\s*:\s*["']([^"']+)["']""")

# Seconds to wait after a 429 without ``Retry-After``: the policy's window.
POLICY_INTERVALS = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}


def error_body(raw: object) -> dict[str, Any]:
    """HubSpot's JSON error body (``status, message, correlationId, category``), or {}."""
    if isinstance(raw, bytes | bytearray):
        raw = raw.decode("utf-8", errors="replace")
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def classify_status(
    status: int,
    body: Mapping[str, Any],
    headers: Mapping[str, str] | None,
    operation: str,
    scrubber: SecretScrubber,
) -> UpstreamError:
    """The error an unsuccessful HubSpot answer means (status 0: no answer at all)."""
    category = _text(body.get("category"))
    message = scrubber.scrub(_describe(status, body, operation))
    if status == 0:
        return NetworkError(message, api=API)
    if status == 429:
        return _rate_limited(message, body, headers)
    if status >= 500:
        return ServerError(message, api=API, status=status, code=category)
    if status in (401, 403):
        return AuthenticationError(message, api=API, status=status, code=category)
    rejected = SetupRejected if setup_refusal(body) else RequestRejected
    return rejected(message, api=API, status=status, code=category)


def setup_refusal(body: Mapping[str, Any]) -> bool:
    """Whether HubSpot's error body (or one batch error) blames the setup: one of its
    details has a ``SETUP_CODES`` code or names a ``SETUP_PROPERTIES`` property."""
    codes: set[str | None] = set()
    names: set[str] = set()
    for detail in body.get("errors") or ():
        if isinstance(detail, Mapping):
            codes.add(_text(detail.get("code")))
            context = detail.get("context")
            if isinstance(context, Mapping):
                names.update(str(name) for name in context.get("propertyName") or ())
    message = _text(body.get("message")) or ""
    codes.update(_DETAIL_CODE.findall(message))
    names.update(_DETAIL_NAME.findall(message))
    return bool(codes & SETUP_CODES or names & SETUP_PROPERTIES)


def classify_api_exception(
    exc: Any, operation: str, scrubber: SecretScrubber
) -> UpstreamError:
    """An SDK ``ApiException`` (status, body, headers) to our error."""
    status = exc.status if isinstance(exc.status, int) else 0
    headers = exc.headers if isinstance(exc.headers, Mapping) else None
    return classify_status(status, error_body(exc.body), headers, operation, scrubber)


def network_error(exc: BaseException, operation: str, scrubber: SecretScrubber) -> NetworkError:
    """A urllib3 transport failure: refused, timed out, or dropped mid-answer."""
    detail = scrubber.scrub(str(exc))[:200]
    return NetworkError(f"HubSpot {operation}: no answer ({type(exc).__name__}: {detail})",
                        api=API)


def _rate_limited(message: str, body: Mapping[str, Any],
                  headers: Mapping[str, str] | None) -> UpstreamError:
    policy = _text(body.get("policyName"))
    if policy == DAILY_POLICY:
        return DailyLimitReached(message, api=API, status=429, code=DAILY_POLICY)
    wait = retry_after_seconds(headers)
    if wait is None and policy is not None:
        wait = POLICY_INTERVALS.get(policy)
    return RateLimited(message, api=API, retry_after=wait, policy=policy)


def _describe(status: int, body: Mapping[str, Any], operation: str) -> str:
    parts = [f"HubSpot {operation}: HTTP {status}"]
    for key in ("category", "policyName"):
        if _text(body.get(key)):
            parts.append(str(body[key]))
    text = " ".join(parts)
    if _text(body.get("message")):
        text += f": {str(body['message'])[:500]}"
    if _text(body.get("correlationId")):
        text += f" (correlationId {body['correlationId']})"
    return text


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
