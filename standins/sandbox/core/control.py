"""The control endpoint under `/_sandbox/`, apart from the vendor paths, and its client.

Tests and benchmarks use it to read the call log, move the clock, set faults and limits,
load more fixtures and change records while a stand-in is serving.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from sandbox.core.calllog import CallLog
from sandbox.core.clock import SandboxClock
from sandbox.core.faults import FaultPlan, FaultSwitch
from sandbox.core.ratelimit import RateLimitPolicy
from sandbox.core.webhook_hub import WebhookHub
from sandbox.core.wsgi import json_response

if TYPE_CHECKING:
    from sandbox.core.wsgi import StartResponse, WSGIEnvironment

CONTROL_PREFIX = "/_sandbox/"

JsonObject = dict[str, Any]


@dataclass
class ControlHooks:
    """What the control endpoint acts on; the vendor parts are callbacks."""

    clock: SandboxClock
    calls: CallLog
    faults: FaultSwitch
    limits: RateLimitPolicy
    load_fixtures: Callable[[Path], Mapping[str, int]]
    change_records: Callable[[JsonObject], JsonObject]
    webhooks: WebhookHub | None = None


_ROUTES = Map([
    Rule("/_sandbox/calls", methods=["GET"], endpoint="calls"),
    Rule("/_sandbox/calls/reset", methods=["POST"], endpoint="calls_reset"),
    Rule("/_sandbox/clock", methods=["GET", "POST"], endpoint="clock"),
    Rule("/_sandbox/faults", methods=["GET", "POST"], endpoint="faults"),
    Rule("/_sandbox/limits", methods=["GET", "POST"], endpoint="limits"),
    Rule("/_sandbox/fixtures", methods=["POST"], endpoint="fixtures"),
    Rule("/_sandbox/records", methods=["POST"], endpoint="records"),
    Rule("/_sandbox/webhooks", methods=["GET", "POST", "DELETE"], endpoint="webhooks"),
])


class ControlApp:
    """WSGI app answering `/_sandbox/...`; every answer is JSON."""

    def __init__(self, hooks: ControlHooks) -> None:
        self.hooks = hooks

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, _ = _ROUTES.bind_to_environ(environ).match()
            body = request.get_json(silent=True) or {}
            if endpoint == "webhooks" and request.method == "GET":
                body = dict(request.args)  # `?deliveries=N`: the last N attempts only
            result = getattr(self, f"_{endpoint}")(request.method, body)
            response = json_response(result)
        except HTTPException as exc:
            response = json_response({"error": exc.description}, exc.code or 500)
        except Exception as exc:  # a control call must always answer JSON
            response = json_response({"error": f"{type(exc).__name__}: {exc}"}, 400)
        return response(environ, start_response)

    def _calls(self, method: str, body: JsonObject) -> JsonObject:
        return self.hooks.calls.to_json()

    def _calls_reset(self, method: str, body: JsonObject) -> JsonObject:
        self.hooks.calls.reset()
        return {"reset": True}

    def _clock(self, method: str, body: JsonObject) -> JsonObject:
        clock = self.hooks.clock
        if "time_scale" in body:
            clock.time_scale = float(body["time_scale"])
        if "now" in body:
            clock.set(datetime.fromisoformat(str(body["now"]).replace("Z", "+00:00")))
        if "advance_seconds" in body:
            clock.advance(float(body["advance_seconds"]))
        return {"now": clock.now().isoformat(), "monotonic": clock.monotonic(),
                "time_scale": clock.time_scale}

    def _faults(self, method: str, body: JsonObject) -> JsonObject:
        if method == "POST":
            self.hooks.faults.replace(FaultPlan.from_json(body))
        return self.hooks.faults.plan.to_json()

    def _limits(self, method: str, body: JsonObject) -> JsonObject:
        if method == "POST":
            self.hooks.limits.configure(body)
        return self.hooks.limits.to_json()

    def _fixtures(self, method: str, body: JsonObject) -> JsonObject:
        return {"loaded": dict(self.hooks.load_fixtures(Path(str(body["dir"]))))}

    def _records(self, method: str, body: JsonObject) -> JsonObject:
        return self.hooks.change_records(body)

    def _webhooks(self, method: str, body: JsonObject) -> JsonObject:
        hub = self.hooks.webhooks
        if hub is None:
            raise NotFound("this stand-in sends no webhooks")
        if method == "POST":
            return hub.configure(body)
        if method == "DELETE":
            return hub.stop()
        last = body.get("deliveries")
        return hub.describe(None if last is None else int(last))


class SandboxControl:
    """A tiny client for a stand-in's control endpoint, for tests and benchmarks."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _send(self, method: str, path: str, body: JsonObject | None = None) -> JsonObject:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}{CONTROL_PREFIX}{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            result: JsonObject = json.loads(answer.read())
        return result

    def calls(self) -> JsonObject:
        """`{"calls": [{at, method, path, status, endpoint}...], "counters": {...}}`."""
        return self._send("GET", "calls")

    def reset_calls(self) -> None:
        self._send("POST", "calls/reset", {})

    def clock(self, **changes: Any) -> JsonObject:
        """`advance_seconds=`, `now=` (ISO), `time_scale=`; no arguments just reads it."""
        return self._send("POST", "clock", changes)

    def advance(self, seconds: float) -> JsonObject:
        return self.clock(advance_seconds=seconds)

    def faults(self, **plan: Any) -> JsonObject:
        """Replace the fault plan (FaultPlan.from_json keys); no arguments clears it."""
        return self._send("POST", "faults", plan)

    def limits(self, **settings: Any) -> JsonObject:
        return self._send("POST", "limits", settings)

    def load_fixtures(self, directory: Path | str) -> JsonObject:
        return self._send("POST", "fixtures", {"dir": str(directory)})

    def records(self, **change: Any) -> JsonObject:
        """Vendor-specific record changes (see each stand-in's `change_records`)."""
        return self._send("POST", "records", change)

    def webhooks(self, **settings: Any) -> JsonObject:
        """Replace the webhook settings: `url`, `secret`, `faults`, `retry`, ..."""
        return self._send("POST", "webhooks", settings)

    def deliveries(self, last: int | None = None) -> JsonObject:
        """The webhook settings, `pending` and the delivery log (its `last` attempts)."""
        return self._send("GET", "webhooks" if last is None else f"webhooks?deliveries={last}")

    def stop_webhooks(self) -> JsonObject:
        return self._send("DELETE", "webhooks")
