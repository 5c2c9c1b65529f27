"""Compose a stand-in: control endpoint + call log + faults + rate limits + vendor app."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core.calllog import CallLog, CallLogMiddleware
from sandbox.core.clock import SandboxClock
from sandbox.core.control import CONTROL_PREFIX, ControlApp, ControlHooks
from sandbox.core.faults import (
    ConnectionDropped,
    ErrorResponseFactory,
    FaultMiddleware,
    FaultSwitch,
)
from sandbox.core.ratelimit import RateLimitMiddleware, RateLimitPolicy
from sandbox.core.webhook_hub import WebhookHub

if TYPE_CHECKING:
    from sandbox.core.wsgi import (
        EndpointNamer,
        StartResponse,
        WSGIApplication,
        WSGIEnvironment,
    )


@dataclass
class VendorParts:
    """The vendor-specific pieces a stand-in plugs into the shared stack."""

    app: WSGIApplication
    endpoint_of: EndpointNamer
    error_response: ErrorResponseFactory
    limits: RateLimitPolicy
    load_fixtures: Callable[[Path], Mapping[str, int]]
    change_records: Callable[[dict[str, Any]], dict[str, Any]]
    webhooks: WebhookHub | None = None  # `/_sandbox/webhooks`; None: sends none


class SandboxApp:
    """The WSGI app a stand-in serves.

    `/_sandbox/...` goes to the control endpoint (not logged, never faulted or limited);
    everything else is logged, then may be faulted, then rate-limited, then answered.
    """

    def __init__(
        self, parts: VendorParts, *, clock: SandboxClock, calls: CallLog, faults: FaultSwitch
    ) -> None:
        limited = RateLimitMiddleware(parts.app, parts.limits, parts.endpoint_of)
        faulted = FaultMiddleware(limited, faults, parts.error_response, close_dropped=False)
        self.vendor = CallLogMiddleware(faulted, calls, parts.endpoint_of)
        self.control = ControlApp(ControlHooks(
            clock=clock, calls=calls, faults=faults, limits=parts.limits,
            load_fixtures=parts.load_fixtures, change_records=parts.change_records,
            webhooks=parts.webhooks,
        ))

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return self.control(environ, start_response)
        try:
            return self.vendor(environ, start_response)
        except ConnectionDropped as dropped:
            dropped.close()  # after the call log has recorded it
            raise
