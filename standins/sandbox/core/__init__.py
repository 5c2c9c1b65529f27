"""The shared core of the sandbox stand-ins (HubSpot, Stripe).

Build a stand-in from vendor parts and serve it::

    from sandbox.core import (CallLog, FaultSwitch, SandboxApp, SandboxClock,
                              SandboxServer, VendorParts, endpoint_namer, json_response)

    clock, calls, faults = SandboxClock(), CallLog(), FaultSwitch()
    app = SandboxApp(VendorParts(
        app=vendor_wsgi_app,                  # answers the vendor paths
        endpoint_of=endpoint_namer(url_map),  # (method, path) -> endpoint name
        error_response=lambda status: json_response({...}, status),  # vendor error shape
        limits=policy,                        # a RateLimitPolicy (or NoRateLimit())
        load_fixtures=lambda directory: {"customers": 3},  # POST /_sandbox/fixtures
        change_records=lambda body: {...},    # POST /_sandbox/records
    ), clock=clock, calls=calls, faults=faults)
    with SandboxServer(app) as server:        # 127.0.0.1, free port
        server.url                            # "http://127.0.0.1:PORT"

Request path through `SandboxApp`: `/_sandbox/*` -> control endpoint (not logged,
never faulted or limited); otherwise CallLogMiddleware -> FaultMiddleware ->
RateLimitMiddleware -> vendor app.

Modules:
- clock: `SandboxClock(start=None, time_scale=1.0)`: `now()` aware UTC, `monotonic()`
  scaled seconds, `advance(s)`, `set(dt)`, `time_scale` (0 freezes; 10 = 10x faster),
  `sleep(s)`. Every window, lag and timestamp should use it.
- calllog: `CallLog`: `record(method, path, status, endpoint_name)`, `calls()`,
  `count(endpoint=, method=, status=)`, `counters()`, `reset()`, `to_json()`.
  Dropped connections are logged with status 0.
- faults: `FaultPlan(seed, share, kinds={kind: weight}, slow_seconds, paths=[globs],
  nth=[NthCallRule(path_glob, n, kind, method=None)])`, `decide(method, path)`;
  kinds "429", "500", "502", "503", "slow", "drop". `FaultPlan.from_json(dict)`.
  `FaultSwitch` holds the live plan (`replace`, `clear`).
- ratelimit: `RollingWindow(clock, limit, window_seconds).acquire() -> WindowState`
  (`allowed`, `limit`, `remaining`, `retry_after_seconds`); `DailyQuota(clock, limit)`;
  `RateLimitPolicy` protocol: `admit(request, endpoint) -> Admission(rejection=Response
  | None, headers={...})`, `configure(settings)`, `to_json()`. Policies must not read
  the request body. `NoRateLimit()` admits everything.
- control: `/_sandbox/calls` (GET), `/_sandbox/calls/reset`, `/_sandbox/clock`
  (`advance_seconds`, `now`, `time_scale`), `/_sandbox/faults` (FaultPlan JSON; `{}`
  clears), `/_sandbox/limits` (policy.configure), `/_sandbox/fixtures` (`{"dir": path}`),
  `/_sandbox/records` (vendor callback), `/_sandbox/webhooks` (GET, POST, DELETE).
  Client: `SandboxControl(base_url)` with
  `calls()`, `reset_calls()`, `clock(...)`, `advance(s)`, `faults(...)`, `limits(...)`,
  `load_fixtures(dir)`, `records(...)`, `webhooks(...)`, `deliveries()`,
  `stop_webhooks()`.
- server: `SandboxServer(wsgi_app, host="127.0.0.1", port=0)`: `start() -> url`,
  `stop()`, `url`, context manager; threaded Werkzeug server in a daemon thread.
- webhooks: `WebhookSender(vendor, name=)`: `submit(target, event)` from the request
  thread, delivery from daemon threads (batching, faults, retries with backoff),
  `pending()`, `log`, `close()`; the vendor (`WebhookVendor`) renders and signs.
  delivery_faults: `DeliveryFaultPlan.from_json({"seed", kind: {"probability"|"count"}})`
  for duplicate, delay, reorder, drop, bad_signature. delivery_log: `DeliveryLog`, one
  entry per attempt. webhook_hub: `WebhookHub`, the settings behind
  `/_sandbox/webhooks` (VendorParts.webhooks), with the sender.
- wsgi: `json_response(data, status=200, headers=None)`, `endpoint_namer(url_map)`.
"""

from sandbox.core.app import SandboxApp, VendorParts
from sandbox.core.calllog import Call, CallLog, CallLogMiddleware
from sandbox.core.clock import SandboxClock
from sandbox.core.control import ControlApp, ControlHooks, SandboxControl
from sandbox.core.faults import (
    FAULT_KINDS,
    ConnectionDropped,
    Fault,
    FaultMiddleware,
    FaultPlan,
    FaultSwitch,
    NthCallRule,
)
from sandbox.core.ratelimit import (
    Admission,
    DailyQuota,
    NoRateLimit,
    RateLimitMiddleware,
    RateLimitPolicy,
    RollingWindow,
    WindowState,
)
from sandbox.core.server import SandboxServer
from sandbox.core.wsgi import endpoint_namer, json_response

__all__ = [
    "FAULT_KINDS",
    "Admission",
    "Call",
    "CallLog",
    "CallLogMiddleware",
    "ConnectionDropped",
    "ControlApp",
    "ControlHooks",
    "DailyQuota",
    "Fault",
    "FaultMiddleware",
    "FaultPlan",
    "FaultSwitch",
    "NoRateLimit",
    "NthCallRule",
    "RateLimitMiddleware",
    "RateLimitPolicy",
    "RollingWindow",
    "SandboxApp",
    "SandboxClock",
    "SandboxControl",
    "SandboxServer",
    "VendorParts",
    "WindowState",
    "endpoint_namer",
    "json_response",
]
