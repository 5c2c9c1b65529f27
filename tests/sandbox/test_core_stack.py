"""The shared core: clock, call log, faults, rate limits, control endpoint, server."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from sandbox.core import (
    Admission,
    CallLog,
    FaultPlan,
    FaultSwitch,
    NthCallRule,
    RollingWindow,
    SandboxApp,
    SandboxClock,
    SandboxControl,
    SandboxServer,
    VendorParts,
    endpoint_namer,
    json_response,
)
from tests.sandbox.conftest import served

URLS = Map([Rule("/v1/things", endpoint="things.list"), Rule("/v1/other", endpoint="other")])


class OneWindow:
    """A policy with one rolling window, to exercise the middleware."""

    def __init__(self, clock: SandboxClock) -> None:
        self.window = RollingWindow(clock, 2, 1.0)

    def admit(self, request: Request, endpoint: str) -> Admission:
        state = self.window.acquire()
        if not state.allowed:
            return Admission(rejection=json_response({"limited": True}, 429))
        return Admission(headers={"X-Remaining": str(state.remaining)})

    def configure(self, settings: Mapping[str, Any]) -> None:
        self.window.limit = settings.get("limit")

    def to_json(self) -> dict[str, Any]:
        return {"limit": self.window.limit}


def vendor(environ: Any, start_response: Any) -> Iterable[bytes]:
    return json_response({"ok": True})(environ, start_response)


def make_app(clock: SandboxClock | None = None) -> tuple[SandboxApp, CallLog, list[Any]]:
    clock = clock or SandboxClock(time_scale=0)
    calls, seen = CallLog(), []
    parts = VendorParts(
        app=vendor,
        endpoint_of=endpoint_namer(URLS),
        error_response=lambda status: json_response({"vendor_error": status}, status),
        limits=OneWindow(clock),
        load_fixtures=lambda directory: seen.append(directory) or {"things": 1},
        change_records=lambda body: {"changed": body},
    )
    return SandboxApp(parts, clock=clock, calls=calls, faults=FaultSwitch()), calls, seen


def get(url: str) -> tuple[int, dict[str, Any], Mapping[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read()), answer.headers
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), err.headers


def test_clock_scales_advances_and_sets() -> None:
    clock = SandboxClock(datetime(2026, 1, 1, tzinfo=UTC), time_scale=0)
    before = clock.monotonic()
    clock.advance(90)
    assert clock.monotonic() - before == pytest.approx(90)
    assert clock.now() == datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)
    clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 3, 1, tzinfo=UTC)
    assert clock.monotonic() - before == pytest.approx(90)
    clock.time_scale = 1000.0
    time.sleep(0.01)
    assert clock.monotonic() - before >= 95
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


def test_rolling_window_frees_slots_as_time_passes() -> None:
    clock = SandboxClock(time_scale=0)
    window = RollingWindow(clock, 2, 10.0)
    assert [window.acquire().allowed for _ in range(3)] == [True, True, False]
    assert window.acquire().retry_after_seconds == pytest.approx(10)
    clock.advance(10)
    assert window.acquire().remaining == 1


def test_fault_plan_is_deterministic_from_seed() -> None:
    def run() -> list[str | None]:
        plan = FaultPlan(seed=7, share=0.5)
        return [getattr(plan.decide("GET", "/x"), "kind", None) for _ in range(50)]

    first = run()
    assert first == run()
    assert 10 < sum(k is not None for k in first) < 40
    assert FaultPlan(seed=7, share=0.0).decide("GET", "/x") is None


def test_nth_call_rule_fires_exactly_once() -> None:
    plan = FaultPlan(nth=[NthCallRule("/v1/things*", 3, "503", method="GET")])
    kinds = [getattr(plan.decide("GET", "/v1/things"), "kind", None) for _ in range(5)]
    assert kinds == [None, None, "503", None, None]
    assert plan.decide("POST", "/v1/things") is None


def test_fault_plan_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultPlan.from_json({"share": 1, "kinds": ["418"]})


def test_server_binds_localhost_only_and_stops() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        SandboxServer(vendor, host="0.0.0.0")
    server = SandboxServer(vendor)
    url = server.start()
    assert url.startswith("http://127.0.0.1:")
    assert get(url + "/v1/things")[0] == 200
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/v1/things", timeout=2)


def test_calls_faults_and_limits_through_control_endpoint() -> None:
    app, calls, _ = make_app()
    with served(app) as url:
        control = SandboxControl(url)
        assert get(url + "/v1/things")[2]["X-Remaining"] == "1"
        get(url + "/v1/things")
        status, body, _ = get(url + "/v1/other")
        assert (status, body) == (429, {"limited": True})
        control.advance(1.0)
        control.faults(nth=[{"path": "/v1/other", "n": 1, "kind": "502"}])
        assert get(url + "/v1/other")[:2] == (502, {"vendor_error": 502})
        control.faults()
        control.limits(limit=None)
        assert [get(url + "/v1/other")[0] for _ in range(4)] == [200] * 4
        log = control.calls()
    assert log["counters"] == {"things.list": 2, "other": 6}
    assert [c["status"] for c in log["calls"]][:4] == [200, 200, 429, 502]
    assert calls.count(endpoint="other", status=200) == 4


def test_drop_closes_connection_and_is_logged() -> None:
    app, calls, _ = make_app()
    with served(app) as url:
        SandboxControl(url).faults(share=1, kinds=["drop"])
        conn = http.client.HTTPConnection(url.removeprefix("http://"), timeout=5)
        conn.request("GET", "/v1/things")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        conn.close()
    assert calls.count(status=0) == 1


def test_slow_fault_delays_then_answers() -> None:
    app, _, _ = make_app()
    with served(app) as url:
        SandboxControl(url).faults(share=1, kinds=["slow"], slow_seconds=0.3)
        started = time.monotonic()
        assert get(url + "/v1/things")[0] == 200
        assert time.monotonic() - started >= 0.3


def test_control_clock_fixtures_and_records(tmp_path: Path) -> None:
    clock = SandboxClock(time_scale=0)
    app, _, seen = make_app(clock)
    with served(app) as url:
        control = SandboxControl(url)
        assert control.clock(now="2026-02-01T00:00:00Z", advance_seconds=60)["now"] == (
            "2026-02-01T00:01:00+00:00")
        assert control.clock(time_scale=5)["time_scale"] == 5
        assert control.load_fixtures(tmp_path) == {"loaded": {"things": 1}}
        assert control.records(archive=["1"]) == {"changed": {"archive": ["1"]}}
        status, _, _ = get(url + "/_sandbox/nope")
    assert seen == [tmp_path]
    assert status == 404
