"""Every HubSpot call goes through here: pace, call the SDK, read limits, classify, retry.

One ``hubspot.HubSpot`` client with the SDK's (urllib3's) retries off, so the shared
policy (``sync.adapters.retry``) is the only one. Answers are read raw (``_preload_content=False``)
and parsed as JSON: callers get exactly HubSpot's CRM JSON, not SDK models.

Each call names the window HubSpot counts it in (``GENERAL``, ``SEARCH``,
``ASSOCIATIONS``): the v4 association batches are exempt from the general 10-second
window and limited apart (docs/configuration.md), so they are paced by their own pacer
and its answers' ``X-HubSpot-RateLimit-*`` headers tighten that pacer, not the general one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import urllib3
from hubspot import HubSpot

from sync.adapters.hubspot.errors import (
    API,
    SDK_API_EXCEPTIONS,
    classify_api_exception,
    classify_status,
    network_error,
)
from sync.adapters.pacing import RollingWindowPacer, hubspot_limits_from_headers
from sync.adapters.retry import RetryPolicy, call_with_retry
from sync.errors import NetworkError, RateLimited, RetriableUpstreamError, ServerError
from sync.runtime import fastjson
from sync.runtime.logs import SecretScrubber
from sync.runtime.metrics import API_CALLS, API_RETRIES, RATE_LIMITED

JsonObject = dict[str, Any]
Timeout = float | tuple[float, float]  # total, or (connect, read) seconds
Window = Literal["general", "search", "associations"]
GENERAL: Window = "general"
SEARCH: Window = "search"  # CRM search: 5 a second, and the general window too
ASSOCIATIONS: Window = "associations"  # v4 association batches: their own 10 s window

DEFAULT_TIMEOUT: Timeout = (10.0, 60.0)


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful (2xx) HubSpot answer: status (207 = partial batch) and JSON body."""

    status: int
    body: JsonObject


@dataclass(frozen=True, slots=True)
class SdkApis:
    """The SDK API objects we call, built once (each holds its own connection pool)."""

    objects: Any  # crm.objects.basic_api: list
    batch: Any  # crm.objects.batch_api: read, update, upsert
    search: Any  # crm.objects.search_api
    associations: Any  # crm.associations.v4.batch_api: read, associate default
    schemas: Any  # crm.schemas.core_api
    properties: Any  # crm.properties.core_api
    property_batch: Any  # crm.properties.batch_api
    property_groups: Any  # crm.properties.groups_api
    users: Any  # settings.users.users_api: who approved (R33)
    oauth: Any  # oauth.access_tokens_api: its ApiClient posts the token-info request

    @classmethod
    def build(cls, access_token: str, base_url: str) -> SdkApis:
        # retry=False reaches urllib3's PoolManager(retries=False): no retries, no
        # redirects followed, the original transport error raised at once.
        client = HubSpot(access_token=access_token, host=base_url.rstrip("/"), retry=False)
        crm = client.crm
        properties = crm.properties
        return cls(
            objects=crm.objects.basic_api,
            batch=crm.objects.batch_api,
            search=crm.objects.search_api,
            associations=crm.associations.v4.batch_api,
            schemas=crm.schemas.core_api,
            properties=properties.core_api,
            property_batch=properties.batch_api,
            property_groups=properties.groups_api,
            users=client.settings.users.users_api,
            oauth=client.oauth.access_tokens_api,
        )


class HubSpotTransport:
    def __init__(self, access_token: str, base_url: str, *, retry: RetryPolicy,
                 pacer: RollingWindowPacer | None, search_pacer: RollingWindowPacer | None,
                 association_pacer: RollingWindowPacer | None = None,
                 timeout: Timeout = DEFAULT_TIMEOUT) -> None:
        """``association_pacer`` None: association batches are paced in the general window."""
        self.api = SdkApis.build(access_token, base_url)
        self._retry = retry
        self._pacer = pacer
        self._search_pacer = search_pacer
        self._association_pacer = association_pacer
        self._timeout = timeout
        self._scrubber = SecretScrubber([access_token])

    def call(self, operation: str, method: Callable[..., Any], *args: Any,
             window: Window = GENERAL, **kwargs: Any) -> Answer:
        """``method(*args, **kwargs)`` of an SDK API, paced in ``window`` and retried per
        the policy."""

        def attempt() -> Answer:
            self._pace(window)
            return self._send(operation, method, args, kwargs, window)

        def on_retry(error: RetriableUpstreamError, attempt_number: int) -> None:
            API_RETRIES.labels(api=API, reason=_retry_reason(error)).inc()

        return call_with_retry(attempt, self._retry, on_retry, what=operation)

    def _rolling_pacer(self, window: Window) -> RollingWindowPacer | None:
        """The pacer of the 10-second window a call counts in."""
        if window == ASSOCIATIONS and self._association_pacer is not None:
            return self._association_pacer
        return self._pacer

    def _pace(self, window: Window) -> None:
        if window == SEARCH and self._search_pacer is not None:
            self._search_pacer.acquire()
        pacer = self._rolling_pacer(window)
        if pacer is not None:
            pacer.acquire()

    def _send(self, operation: str, method: Callable[..., Any], args: tuple[Any, ...],
              kwargs: dict[str, Any], window: Window) -> Answer:
        try:
            response = method(*args, _preload_content=False,
                              _request_timeout=self._timeout, **kwargs)
            status, raw, headers = response.status, response.data, response.headers
        except SDK_API_EXCEPTIONS as exc:
            self._observe(getattr(exc, "headers", None), window)
            error = classify_api_exception(exc, operation, self._scrubber)
            self._count(operation, error.status or 0)
            raise error from exc
        except urllib3.exceptions.HTTPError as exc:
            self._count(operation, 0)
            raise network_error(exc, operation, self._scrubber) from exc
        self._observe(headers, window)
        self._count(operation, status)
        return Answer(status, self._json(status, raw, operation))

    def _json(self, status: int, raw: bytes, operation: str) -> JsonObject:
        if not raw:
            return {}
        try:
            body = fastjson.loads(raw)
        except ValueError:
            # A cut-off answer behind a 2xx: worth another try, like a dropped one.
            raise classify_status(0, {}, None, f"{operation} (unreadable answer)",
                                  self._scrubber) from None
        if not isinstance(body, dict):
            raise ServerError(f"HubSpot {operation}: expected a JSON object, HTTP {status}",
                              api=API, status=status)
        return body

    def _observe(self, headers: Any, window: Window) -> None:
        pacer = self._rolling_pacer(window)
        if pacer is None or headers is None:
            return
        limit, remaining = hubspot_limits_from_headers(headers)
        pacer.observe(limit, remaining)

    @staticmethod
    def _count(operation: str, status: int) -> None:
        API_CALLS.labels(api=API, operation=operation, status=_status_class(status)).inc()
        if status == 429:
            RATE_LIMITED.labels(api=API).inc()


def _status_class(status: int) -> str:
    if status == 0:
        return "network"
    if status == 429:
        return "429"
    return f"{status // 100}xx"


def _retry_reason(error: RetriableUpstreamError) -> str:
    if isinstance(error, RateLimited):
        return "rate_limited"
    if isinstance(error, NetworkError):
        return "network"
    return "server_error"


def json_objects(value: object) -> list[JsonObject]:
    """The JSON objects of a list (HubSpot's ``results``/``errors``); [] otherwise."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
