"""The portal benchmark's world: both stand-ins serving a generated portal with their
rate limits on, time-scaled, and the worker run as a separate process against them.

Three adaptations keep the stand-ins honest at 340,000 invoices (the stand-ins' own code
is unchanged; ``scaled_listings`` swaps one route for the benchmark's lifetime):

- ``RateClock``: the rate-limit windows run ``time_scale`` times faster, but records are
  stamped with the real time. The worker's cursors are instants on its own clock, and
  a stand-in whose ``now()`` ran ahead would keep every change "in the future".
- ``scaled_listings``: the stand-in's lists sort every object for each page (and the
  invoice list renders, deep-copies, every invoice) and find their cursor by a scan:
  quadratic, hours for this portal. Unfiltered listings of customers, subscriptions and
  invoices are served from a display order kept between changes, the cursor found by
  index, an invoice whose lines fit one page as stored (what rendering gives);
- and the Stripe stand-in answers in compact JSON, encoded by orjson (see
  ``scaled_listings``).
"""

from __future__ import annotations

import bisect
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sandbox.core import SandboxClock, SandboxServer
from sandbox.hubspot import HubSpotSandbox
from sandbox.stripe import StripeSandbox
from sandbox.stripe import api as stripe_api
from sandbox.stripe import routes as stripe_routes
from sandbox.stripe.objects import JSON, list_object
from sandbox.stripe.routes.common import ApiCall
from sandbox.stripe.state import StripeState
from sync.adapters.hubspot.setup import ensure_setup
from sync.config.settings import Settings
from sync.runtime.collector import tune_collector
from sync.wiring import Services

ROOT = Path(__file__).resolve().parents[1]
HUBSPOT_TOKEN = "bench-token"  # the stand-ins accept any token
STRIPE_KEY = {"live": "sk_live_bench", "test": "sk_test_bench"}
# The stand-ins share the worker's clock and index at once, so the pull's overlap (10
# minutes in production, for clock skew and index lag) can be short; the benchmark waits
# it out between runs, as an hourly schedule does with 10 minutes.
OVERLAP_SECONDS = 3.0


class RateClock(SandboxClock):
    """Windows (``monotonic``) run ``time_scale`` times faster; ``now()`` is real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class Limits:
    hubspot_per_10s: int = 190  # a private app on Professional / Enterprise
    hubspot_searches_per_s: int = 5
    hubspot_associations_per_10s: int = 150  # v4 association batches, Professional / Enterprise
    stripe_mode: str = "live"  # 100 reads and 100 writes a second

    @property
    def stripe_per_s(self) -> int:
        return {"live": 100, "test": 25}[self.stripe_mode]


@dataclass
class World:
    directory: Path
    hubspot: HubSpotSandbox
    stripe: StripeSandbox
    hubspot_url: str
    stripe_url: str
    limits: Limits
    time_scale: float
    database: Path = field(init=False)

    def __post_init__(self) -> None:
        self.database = self.directory / "ledger.db"

    def env(self) -> dict[str, str]:
        """The worker's environment: ``PARTNERSYNC_*`` pointing at the stand-ins."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("PARTNERSYNC_")}
        env.update({
            "PARTNERSYNC_HUBSPOT_ACCESS_TOKEN": HUBSPOT_TOKEN,
            "PARTNERSYNC_HUBSPOT_BASE_URL": self.hubspot_url,
            "PARTNERSYNC_STRIPE_API_KEY": STRIPE_KEY[self.limits.stripe_mode],
            "PARTNERSYNC_STRIPE_API_BASE": self.stripe_url,
            "PARTNERSYNC_DATABASE_URL": f"sqlite:///{self.database}",
            "PARTNERSYNC_HUBSPOT_RATE_LIMIT_PER_10S": str(self.limits.hubspot_per_10s),
            "PARTNERSYNC_HUBSPOT_ASSOCIATION_RATE_LIMIT_PER_10S": str(
                self.limits.hubspot_associations_per_10s),
            "PARTNERSYNC_PACING_TIME_SCALE": repr(self.time_scale),
            "PARTNERSYNC_PULL_OVERLAP_SECONDS": repr(OVERLAP_SECONDS),
            "PARTNERSYNC_LOG_FORMAT": "json",
            "PARTNERSYNC_LOG_LEVEL": "debug",  # the phase lines give each run's timeline
        })
        return env

    def settings(self) -> Settings:
        """The same configuration, for work done in this process (``hubspot setup``)."""
        return Settings(
            hubspot_access_token=HUBSPOT_TOKEN, hubspot_base_url=self.hubspot_url,
            stripe_api_key=STRIPE_KEY[self.limits.stripe_mode],
            stripe_api_base=self.stripe_url, database_url=f"sqlite:///{self.database}",
            hubspot_rate_limit_per_10s=self.limits.hubspot_per_10s,
            hubspot_association_rate_limit_per_10s=self.limits.hubspot_associations_per_10s,
            pacing_time_scale=self.time_scale)

    def reset_calls(self) -> None:
        self.hubspot.calls.reset()
        self.stripe.calls.reset()

    def counters(self) -> dict[str, int]:
        """Calls per endpoint since the last reset, ``hubspot:`` / ``stripe:`` prefixed."""
        counts = {f"hubspot:{k}": v for k, v in self.hubspot.calls.counters().items()}
        counts |= {f"stripe:{k}": v for k, v in self.stripe.calls.counters().items()}
        return counts

    def rejected(self) -> int:
        """429s answered since the last reset (the pacers should leave none)."""
        return self.hubspot.calls.count(status=429) + self.stripe.calls.count(status=429)


TIMELINE_EVENTS = {"pull.hubspot_read": "hubspot read", "pull.side_done": "{side} pulled",
                   "run.phase": "{phase}", "apply.side_done": "{side} written",
                   "sync.finished": "finished"}


@dataclass(frozen=True)
class WorkerRun:
    seconds: float
    peak_rss_mib: float
    exit_status: int
    output: str
    started_at: float  # epoch seconds

    def timeline(self) -> list[tuple[str, float]]:
        """(what, seconds since the worker started) from its log lines, in order."""
        marks = []
        for line in self.output.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict) or "timestamp" not in entry:
                continue
            label = TIMELINE_EVENTS.get(str(entry.get("event")))
            if label is None:
                continue
            at = datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00")).timestamp()
            marks.append((label.format(**entry), at - self.started_at))
        return marks


def run_worker(world: World, arguments: Sequence[str]) -> WorkerRun:
    """``python -m sync.cli ARGS`` as its own process, and its peak RSS (``VmHWM``, see
    ``benchmarks.portal_worker``)."""
    peak_file = world.directory / "worker-peak-kib"
    peak_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", "benchmarks.portal_worker", *arguments]
    started, started_at = time.perf_counter(), time.time()
    finished = subprocess.run(command, cwd=ROOT, env={**world.env(),
                                                      "PORTAL_PEAK_FILE": str(peak_file)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              check=False)
    seconds = time.perf_counter() - started
    peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan")
    return WorkerRun(seconds, peak, finished.returncode, finished.stdout, started_at)


@contextmanager
def open_world(directory: Path, limits: Limits, time_scale: float) -> Iterator[World]:
    """Both stand-ins seeded from ``directory``, limits on, HubSpot set up for the worker
    (not counted: the call logs are reset before the first measured run)."""
    clock = RateClock(time_scale=time_scale)
    threshold = gc.get_threshold()
    tune_collector()  # the stand-ins hold millions of objects: see sync.runtime.collector
    hubspot = HubSpotSandbox.from_fixtures(
        directory, clock=clock, token=None, ten_second_limit=limits.hubspot_per_10s,
        search_per_second=limits.hubspot_searches_per_s,
        association_ten_second_limit=limits.hubspot_associations_per_10s)
    stripe = StripeSandbox.from_fixtures(directory, clock=clock, api_key=None)
    stripe.limits.configure({"mode": limits.stripe_mode})
    # The portal as loaded stays for the benchmark's life: out of the collector's full
    # passes, which otherwise stall both stand-ins for seconds mid-run (a 5 GB heap).
    gc.freeze()
    with ExitStack() as stack:
        stack.callback(gc.set_threshold, *threshold)
        stack.callback(gc.unfreeze)
        for sandbox in (stripe, hubspot):  # their webhook senders, after the servers
            stack.callback(sandbox.close)
        stack.enter_context(scaled_listings())
        warm_listings(stripe.state)
        hubspot_url = stack.enter_context(SandboxServer(hubspot.wsgi_app)).url
        stripe_url = stack.enter_context(SandboxServer(stripe.wsgi_app)).url
        world = World(directory, hubspot, stripe, hubspot_url, stripe_url, limits, time_scale)
        services = Services(world.settings())
        try:
            ensure_setup(services.hubspot, services.props)
        finally:
            services.close()
        world.reset_calls()
        yield world


# -- the full listings at scale --------------------------------------------------------

# endpoint -> (kind, url, the parameter values the fast path also serves)
FAST_LISTS: dict[str, tuple[str, str, dict[str, str]]] = {
    "customers.list": ("customer", "/v1/customers", {}),
    "subscriptions.list": ("subscription", "/v1/subscriptions", {"status": "all"}),
    "invoices.list": ("invoice", "/v1/invoices", {}),
}
PAGING = frozenset({"limit", "starting_after"})


@contextmanager
def scaled_listings() -> Iterator[None]:
    """Full listings from a cached display order, and answers encoded compactly with
    orjson: Python's indenting encoder is the pure-Python one, 56 ms for a page of 100
    invoices, and even its C encoder (6 ms) kept the worker waiting on the stand-in,
    which shares one interpreter with HubSpot's: the stand-in, not the rate limit or
    the worker, would be what is measured."""
    handlers = stripe_routes.HANDLERS
    originals, encode = {name: handlers[name] for name in FAST_LISTS}, stripe_api._encode
    for name in FAST_LISTS:
        handlers[name] = _fast_list(name, originals[name])
    stripe_api._encode = _compact
    try:
        yield
    finally:
        handlers.update(originals)
        stripe_api._encode = encode


def warm_listings(state: StripeState) -> None:
    """Sort the full listings' display orders before the first run: the stand-in would
    otherwise sort 340,000 invoices while answering the worker's first invoice page
    (2.3 s in which the worker waits on nothing a real Stripe would make it wait on)."""
    for kind, _, _ in FAST_LISTS.values():
        _display_order(state, kind)


def _compact(body: Any) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:  # what orjson cannot encode (see sync.runtime.fastjson)
        return json.dumps(body).encode()


def _fast_list(endpoint: str, original: Callable[[ApiCall], JSON]) -> Callable[[ApiCall], JSON]:
    kind, url, served_too = FAST_LISTS[endpoint]

    def handler(call: ApiCall) -> JSON:
        extra = {k: v for k, v in call.params.items() if k not in PAGING | {"created"}}
        if extra != {k: v for k, v in served_too.items() if k in extra} or (
                set(extra) - set(served_too)) or not _served_range(call.params):
            return original(call)  # other filters: the stand-in's own code
        objects, index, newest_first = _display_order(call.state, kind)
        first, end = _created_range(newest_first, call.params.get("created") or {})
        limit = int(call.params.get("limit") or 10)
        after = call.params.get("starting_after")
        start = index[str(after)] + 1 if after else first
        page = [_served(call.state, kind, obj) for obj in objects[start:min(start + limit, end)]]
        return list_object(url, page, has_more=start + limit < end)

    return handler


def _served_range(params: dict[str, Any]) -> bool:
    """No ``created`` filter, or a range of ``gte`` / ``lt`` (what the worker sends)."""
    created = params.get("created")
    return created is None or (isinstance(created, dict) and set(created) <= {"gte", "lt"})


def _created_range(newest_first: list[int], created: dict[str, Any]) -> tuple[int, int]:
    """The slice of the display order (newest first) created in ``[gte, lt)``:
    ``newest_first`` holds the objects' ``-created``, ascending."""
    first = bisect.bisect_left(newest_first, -int(created["lt"]) + 1) if "lt" in created else 0
    end = (bisect.bisect_right(newest_first, -int(created["gte"])) if "gte" in created
           else len(newest_first))
    return first, end


_ORDER: dict[tuple[int, str], tuple[tuple[int, int], list[JSON], dict[str, int], list[int]]] = {}


def _display_order(state: StripeState, kind: str
                   ) -> tuple[list[JSON], dict[str, int], list[int]]:
    """Newest first, recomputed only when the account changed (an event was recorded)
    or an object was added or removed."""
    version = (len(state.events.all()), len(state._objects[kind]))
    cached = _ORDER.get((id(state), kind))
    if cached is None or cached[0] != version:
        objects = state.newest_first(kind)
        cached = (version, objects, {str(o["id"]): n for n, o in enumerate(objects)},
                  [-int(o.get("created") or 0) for o in objects])
        _ORDER[(id(state), kind)] = cached
    return cached[1], cached[2], cached[3]


def _served(state: StripeState, kind: str, obj: JSON) -> Any:
    lines = (obj.get("lines") or {}) if kind == "invoice" else {}
    if len(lines.get("data") or ()) <= state.lines_page_size and not lines.get("has_more"):
        return obj  # what `rendered` would give, without copying it
    return state.rendered(kind, obj)
