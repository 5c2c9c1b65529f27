"""The fault suites' harness: both stand-ins served from the test process, the worker
as a REAL process (``python -m sync.cli sync``) that a test can SIGKILL.

``serve_world(fixtures, database_url, programme)`` starts the HubSpot and Stripe
stand-ins on 127.0.0.1 (rate limits off: these suites test faults, not pacing), runs
``hubspot setup`` and yields a ``FaultWorld`` -- the e2e ``World`` (its readers of the
ledger and both sandboxes, ``tests.e2e.support.outcome``) on that programme file (the
demo's by default) plus:

- ``env()``: the ``PARTNERSYNC_*`` environment pointing a worker process at it (JSON
  logs at debug level, so standard error carries the ``run.phase`` lines of
  ``jobs.cycle``);
- ``tap``: a wrapper in front of the Stripe stand-in that, once Stripe has MADE the
  Nth transfer, SIGKILLs the worker before the answer leaves, or drops the answer;
- ``services()`` for in-process runs with a chosen retry policy;
- ``approve_in_hubspot`` (an approver's status change, R33) and ``ledger_ahead`` (a
  payout status the ledger recorded that HubSpot does not show yet).

``run_worker`` runs a worker to completion; ``kill_worker`` starts one and SIGKILLs it
at a ``KillAt`` (after a phase's line plus a delay, or at a transfer). Every process
is reaped, every wait is bounded.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mappings.properties import DEFAULT_PROPERTY_MAP
from sandbox.core import SandboxClock, SandboxServer
from sandbox.core.faults import ConnectionDropped
from sandbox.hubspot import HubSpotSandbox
from sandbox.stripe import StripeSandbox
from sync.adapters.hubspot.setup import ensure_setup
from sync.adapters.retry import RetryPolicy
from sync.config.settings import Settings
from sync.ledger import Ledger
from sync.wiring import Services
from tests.e2e.support import FAST_RETRY, PROGRAMME_FILE, ROOT, Outcome, World

if TYPE_CHECKING:
    from sandbox.core.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PHASES = ("pull", "decide", "record", "pay", "write")  # jobs.cycle.phase, in order
FINISHED = "finished"  # the "sync.finished" summary line was printed
HUBSPOT_TOKEN = "faults-token"
# A live-mode key only so the worker paces Stripe at 100 calls/s instead of 25: the
# stand-in accepts any key, and its own limits are off.
STRIPE_KEY = "sk_live_faults"
WORKER_TIMEOUT = 120.0  # seconds a worker process may take before the test gives up
AMPLE = 10**10  # cents: more than any test pays out
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)  # closes October 2026: every billed month
PAYOUT = DEFAULT_PROPERTY_MAP.payout


def worker_command(as_of: datetime) -> list[str]:
    return [sys.executable, "-m", "sync.cli", "sync", "--as-of", as_of.isoformat()]


# -- the Stripe tap ------------------------------------------------------------------


class TransferTap:
    """In front of the Stripe stand-in: passes everything through; when armed, acts
    right after Stripe has made the ``nth`` transfer (counted from arming), before its
    answer reaches the worker -- ``kill`` SIGKILLs the worker process, ``lose`` drops
    the connection (the answer is lost, the transfer exists)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._nth = 0
        self._action = ""
        self._pid: int | None = None
        self.made = 0  # transfers made since arming
        self.fired = False

    def arm(self, nth: int, action: str, pid: int | None = None) -> None:
        assert action in ("kill", "lose") and nth >= 1
        with self._lock:
            self._nth, self._action, self._pid = nth, action, pid
            self.made, self.fired = 0, False

    def disarm(self) -> None:
        with self._lock:
            self._nth, self._action, self._pid = 0, "", None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        statuses: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None
                    ) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        is_transfer = (environ["REQUEST_METHOD"] == "POST"
                       and environ.get("PATH_INFO") == "/v1/transfers")
        if not is_transfer:
            return self.app(environ, start_response)
        # start_response is only called by the inner app; the answer is not sent yet
        body = list(self.app(environ, capture))
        if statuses and statuses[-1].startswith("200") and self._fire():
            if self._action == "kill":
                assert self._pid is not None
                os.kill(self._pid, signal.SIGKILL)
            dropped = ConnectionDropped(environ)
            dropped.close()
            raise dropped
        return body

    def _fire(self) -> bool:
        with self._lock:
            if not self._nth or self.fired:
                return False
            self.made += 1
            self.fired = self.made == self._nth
            return self.fired


# -- the world ------------------------------------------------------------------------


@dataclass
class FaultWorld(World):
    """The e2e ``World`` on stand-ins without rate limits, with a Stripe tap."""

    tap: TransferTap | None = None
    retry: RetryPolicy = FAST_RETRY
    programme: Path = PROGRAMME_FILE
    ledgers: list[Ledger] = field(default_factory=list)

    def settings(self) -> Settings:
        return Settings(
            hubspot_access_token=HUBSPOT_TOKEN, hubspot_base_url=self.hubspot_url,
            stripe_api_key=STRIPE_KEY, stripe_api_base=self.stripe_url,
            database_url=self.database_url, programme_file=self.programme,
            hubspot_rate_limit_per_10s=100_000,
            hubspot_association_rate_limit_per_10s=100_000)

    def services(self) -> Services:
        services = Services(self.settings(), retry=self.retry)
        self.opened.append(services)
        return services

    def env(self) -> dict[str, str]:
        """The environment of a worker process on this world."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERSYNC_")}
        settings = self.settings()
        return {
            **inherited,
            "PYTHONPATH": str(ROOT),
            "PARTNERSYNC_HUBSPOT_ACCESS_TOKEN": HUBSPOT_TOKEN,
            "PARTNERSYNC_HUBSPOT_BASE_URL": self.hubspot_url,
            "PARTNERSYNC_STRIPE_API_KEY": STRIPE_KEY,
            "PARTNERSYNC_STRIPE_API_BASE": self.stripe_url,
            "PARTNERSYNC_DATABASE_URL": self.database_url,
            "PARTNERSYNC_PROGRAMME_FILE": str(self.programme),
            "PARTNERSYNC_HUBSPOT_RATE_LIMIT_PER_10S": str(settings.hubspot_rate_limit_per_10s),
            "PARTNERSYNC_HUBSPOT_ASSOCIATION_RATE_LIMIT_PER_10S": str(
                settings.hubspot_association_rate_limit_per_10s),
            "PARTNERSYNC_LOG_FORMAT": "json",
            "PARTNERSYNC_LOG_LEVEL": "debug",
        }

    def ledger(self) -> Ledger:
        """The ledger as it now is, opened without migrating (the worker did): safe from
        several threads at once, unlike Alembic."""
        ledger = Ledger.open(self.database_url)
        self.ledgers.append(ledger)
        return ledger

    def close(self) -> None:
        for services in self.opened:
            services.close()
        for ledger in self.ledgers:
            ledger.close()
        self.opened.clear()
        self.ledgers.clear()


@contextmanager
def serve_world(fixtures: Path, database_url: str, programme: Path = PROGRAMME_FILE
                ) -> Iterator[FaultWorld]:
    clock = SandboxClock()
    hubspot = HubSpotSandbox.from_fixtures(fixtures, clock=clock, token=None, enabled=False)
    stripe = StripeSandbox.from_fixtures(fixtures, clock=clock, api_key=None)
    stripe.limits.enabled = False
    tap = TransferTap(stripe.wsgi_app)
    with ExitStack() as stack:
        stack.callback(stripe.close)  # their webhook senders, after the servers
        stack.callback(hubspot.close)
        hubspot_server = stack.enter_context(SandboxServer(hubspot.wsgi_app))
        stripe_server = stack.enter_context(SandboxServer(tap))
        world = FaultWorld(fixtures, database_url, hubspot, stripe, hubspot_server.url,
                           stripe_server.url, tap=tap, programme=programme)
        try:
            setup = world.services()
            ensure_setup(setup.hubspot, setup.props)
            world.close()
            world.reset_calls()
            yield world
        finally:
            world.close()


def sqlite_file_url(directory: Path, name: str = "ledger.db") -> str:
    return f"sqlite:///{directory / name}"


# -- worker processes ------------------------------------------------------------------


@dataclass
class Line:
    at: float  # time.monotonic() when the test read it
    text: str

    def event(self) -> dict[str, Any]:
        try:
            data = json.loads(self.text)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


@dataclass
class WorkerRun:
    """What one worker process did: exit status, its lines, where it got to. Its log
    lines (JSON) and its ``partnersync:`` message share standard error, read line by
    line as they come; standard output (the summary table) is read whole."""

    returncode: int
    lines: list[Line]  # standard error, as the test read it
    stdout: str
    seconds: float
    killed_at: float | None = None  # time.monotonic() of the SIGKILL, when sent

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL

    @property
    def stderr(self) -> str:
        return "".join(f"{line.text}\n" for line in self.lines)

    def messages(self) -> list[str]:
        """Standard error's lines that are not log lines: the ``partnersync:`` message."""
        return [line.text for line in self.lines if line.text.strip() and not line.event()]

    def events(self, name: str) -> list[dict[str, Any]]:
        return [event for line in self.lines if (event := line.event()).get("event") == name]

    def phase_lines(self) -> list[tuple[str, float]]:
        return [(str(line.event()["phase"]), line.at) for line in self.lines
                if line.event().get("event") == "run.phase"]

    def last_phase(self) -> str | None:
        """Where the process was when it stopped: the last phase it announced, or
        ``finished`` once it printed its summary line."""
        if self.events("sync.finished"):
            return FINISHED
        phases = self.phase_lines()
        return phases[-1][0] if phases else None

    def summary(self) -> dict[str, Any]:
        (finished,) = self.events("sync.finished")
        return finished

    def describe(self) -> str:
        tail = "\n".join(line.text for line in self.lines[-5:])
        return (f"exit {self.returncode}\n--- stderr (tail)\n{tail}\n"
                f"--- stdout (tail)\n{self.stdout[-2000:]}")


class _Process:
    """A worker process whose standard error lines and standard output are read by
    threads."""

    def __init__(self, world: FaultWorld, as_of: datetime) -> None:
        self.started = time.monotonic()
        self.popen = subprocess.Popen(
            worker_command(as_of), cwd=ROOT, env=world.env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1)
        self.queue: queue.Queue[Line | None] = queue.Queue()
        self.lines: list[Line] = []
        self.stdout: list[str] = []
        self._readers = [threading.Thread(target=self._read_stderr, daemon=True),
                         threading.Thread(target=self._read_stdout, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read_stderr(self) -> None:
        assert self.popen.stderr is not None
        for text in self.popen.stderr:
            self.queue.put(Line(time.monotonic(), text.rstrip("\n")))
        self.queue.put(None)

    def _read_stdout(self) -> None:
        assert self.popen.stdout is not None
        self.stdout.append(self.popen.stdout.read())

    def next_line(self, deadline: float) -> Line | None:
        """The next standard error line; None at end of output. Raises past the deadline."""
        line = self.queue.get(timeout=max(deadline - time.monotonic(), 0.001))
        if line is not None:
            self.lines.append(line)
        return line

    def kill(self) -> float:
        now = time.monotonic()
        self.popen.send_signal(signal.SIGKILL)  # a no-op once it has been reaped
        return now

    def reap(self, deadline: float, killed_at: float | None = None) -> WorkerRun:
        """Wait for the process (killing it past the deadline) and its readers."""
        try:
            self.popen.wait(timeout=max(deadline - time.monotonic(), 0.001))
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)
            raise AssertionError("the worker process did not finish in time") from None
        finally:
            for reader in self._readers:
                reader.join(timeout=10)
            while True:  # the lines not consumed yet
                try:
                    line = self.queue.get_nowait()
                except queue.Empty:
                    break
                if line is not None:
                    self.lines.append(line)
            for stream in (self.popen.stdout, self.popen.stderr):
                if stream is not None:
                    stream.close()
        return WorkerRun(self.popen.returncode, self.lines, "".join(self.stdout),
                         time.monotonic() - self.started, killed_at)


def run_worker(world: FaultWorld, as_of: datetime, timeout: float = WORKER_TIMEOUT
               ) -> WorkerRun:
    """``partnersync sync --as-of`` in a process of its own, to its end."""
    process = _Process(world, as_of)
    deadline = time.monotonic() + timeout
    try:
        while process.next_line(deadline) is not None:
            pass
    finally:
        done = process.reap(deadline)
    return done


@dataclass(frozen=True)
class KillAt:
    """When to SIGKILL: ``delay`` seconds after the ``phase`` line, or (``transfer``)
    the moment Stripe has made that transfer of the run, before the worker hears."""

    phase: str | None = None
    delay: float = 0.0
    transfer: int = 0

    def label(self) -> str:
        if self.transfer:
            return f"transfer #{self.transfer} made, answer not received"
        return f"{self.phase} + {self.delay * 1000:.0f} ms"


def phase_kills(reference: Reference, trials: int, seed: int) -> list[KillAt]:
    """``trials`` kills, each phase in turn, at a seeded random delay within that phase's
    duration in ``reference``."""
    rng = random.Random(seed)
    return [KillAt(phase=PHASES[index % len(PHASES)],
                   delay=rng.uniform(0, reference.phase_seconds[PHASES[index % len(PHASES)]]))
            for index in range(trials)]


def kill_worker(world: FaultWorld, as_of: datetime, at: KillAt,
                timeout: float = WORKER_TIMEOUT) -> WorkerRun:
    process = _Process(world, as_of)
    deadline = time.monotonic() + timeout
    killed_at: float | None = None
    try:
        if at.transfer:
            assert world.tap is not None
            world.tap.arm(at.transfer, "kill", process.popen.pid)
            while process.next_line(deadline) is not None:
                pass
        else:
            while (line := process.next_line(deadline)) is not None:
                event = line.event()
                if event.get("event") == "run.phase" and event.get("phase") == at.phase:
                    time.sleep(at.delay)
                    killed_at = process.kill()
                    break
    finally:
        if world.tap is not None:
            world.tap.disarm()
        if killed_at is None and not at.transfer:
            killed_at = process.kill()  # whatever happened above, never leave it running
        done = process.reap(deadline, killed_at)
    return done


# -- comparing worlds -------------------------------------------------------------------


def differences(got: Outcome, reference: Outcome) -> list[str]:
    """Each part of the end state that differs, with the first few keys that do."""
    found = []
    for part in fields(Outcome):
        mine, theirs = getattr(got, part.name), getattr(reference, part.name)
        if mine == theirs:
            continue
        if isinstance(mine, dict):
            keys = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
            detail = "; ".join(f"{k}: {mine.get(k)!r} != {theirs.get(k)!r}" for k in keys[:3])
            found.append(f"{part.name}: {len(keys)} differ ({detail})")
        else:
            found.append(f"{part.name}: {mine!r} != {theirs!r}")
    return found


def duplicate_transfers(world: World) -> dict[str, int]:
    groups = Counter(str(transfer["transfer_group"]) for transfer in world.transfers())
    return {group: count for group, count in groups.items() if count > 1}


def unrecorded_transfers(world: World) -> int:
    """Transfers Stripe made whose payout the ledger does not show as paid by them."""
    ledger = world.ledger()
    recorded = {p.stripe_transfer_id for p in ledger.list_payouts()}
    return sum(1 for transfer in world.transfers() if transfer["id"] not in recorded)


def approve_in_hubspot(world: World, payout_id: str, user_id: int) -> None:
    """HubSpot user ``user_id`` sets the payout record's status to approved in the UI
    (the property history names the user, R33)."""
    record_id = world.payout_records()[payout_id]["hs_object_id"]
    world.hubspot.change_records({"object_type": PAYOUT.object_name, "user_id": user_id,
                                  "update": [{"id": record_id,
                                              "properties": {PAYOUT.status: "approved"}}]})


def ledger_ahead(world: World, payout_id: str, status: str) -> bool:
    """The ledger has recorded ``status`` for the payout, and HubSpot's payout record
    does not show it yet (or does not exist): a kill now falls between a decision and
    its HubSpot write. A payout not in the ledger yet has recorded nothing."""
    recorded = {p.id: p.status.value for p in world.ledger().list_payouts()}.get(payout_id)
    shown = world.payout_records().get(payout_id, {}).get(PAYOUT.status)
    return recorded == status and shown != status


@dataclass
class Reference:
    """One uninterrupted worker run on fresh stand-ins, and how long its phases took."""

    outcome: Outcome
    run: WorkerRun
    phase_seconds: dict[str, float] = field(default_factory=dict)
    hubspot_calls: list[str] = field(default_factory=list)  # endpoint names, in order


def phase_seconds(run: WorkerRun) -> dict[str, float]:
    """Each phase's duration as the test saw it: from its line to the next one (the
    summary line for the last phase)."""
    marks = run.phase_lines()
    ends = [at for _, at in marks[1:]]
    ends.append(run.lines[-1].at if not run.events("sync.finished") else
                next(line.at for line in run.lines if line.event().get("event")
                     == "sync.finished"))
    return {name: max(end - at, 0.0) for (name, at), end in zip(marks, ends, strict=True)}
