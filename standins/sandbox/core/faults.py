"""Deterministic fault injection: a seeded share of requests, or exactly the Nth call."""

from __future__ import annotations

import contextlib
import fnmatch
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from sandbox.core.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FAULT_KINDS = ("429", "500", "502", "503", "slow", "drop")
STATUS_FAULTS = {"429": 429, "500": 500, "502": 502, "503": 503}


@dataclass(frozen=True)
class Fault:
    kind: str
    delay_seconds: float = 0.0


@dataclass
class NthCallRule:
    """The `n`th call (1-based) whose path matches `path` (a glob) gets fault `kind`."""

    path: str
    n: int
    kind: str
    method: str | None = None
    seen: int = 0

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method is None or self.method.upper() == method.upper()
        return method_ok and fnmatch.fnmatchcase(path, self.path)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "n": self.n, "kind": self.kind, "method": self.method,
                "seen": self.seen}


def _check_kind(kind: str) -> str:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
    return kind


@dataclass
class FaultPlan:
    """Which requests fail, and how. The same seed and call order give the same faults.

    `share` (0..1) of requests matching `paths` (globs, default all) get a fault drawn
    from `kinds` (kind -> weight). Nth-call rules fire regardless of the share.
    """

    seed: int = 0
    share: float = 0.0
    kinds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FAULT_KINDS, 1.0))
    slow_seconds: float = 1.0
    paths: list[str] = field(default_factory=lambda: ["*"])
    nth: list[NthCallRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._validate()
        self._rng = random.Random(self.seed)

    def _validate(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError("share must be between 0 and 1")
        for kind in self.kinds:
            _check_kind(kind)
        for rule in self.nth:
            _check_kind(rule.kind)

    def decide(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any; call once per request, in arrival order."""
        with self._lock:
            kind = self._nth_fault(method, path) or self._random_fault(path)
        if kind is None:
            return None
        return Fault(kind, self.slow_seconds if kind == "slow" else 0.0)

    def _nth_fault(self, method: str, path: str) -> str | None:
        hit = None
        for rule in self.nth:
            if rule.matches(method, path):
                rule.seen += 1
                if rule.seen == rule.n and hit is None:
                    hit = rule.kind
        return hit

    def _random_fault(self, path: str) -> str | None:
        if self.share <= 0 or not any(fnmatch.fnmatchcase(path, p) for p in self.paths):
            return None
        if self._rng.random() >= self.share:
            return None
        names = list(self.kinds)
        return self._rng.choices(names, weights=[self.kinds[n] for n in names])[0]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultPlan:
        """Build from the control endpoint's JSON; `{}` is a plan with no faults."""
        kinds = data.get("kinds")
        if isinstance(kinds, list):
            kinds = dict.fromkeys(kinds, 1.0)
        return cls(
            seed=int(data.get("seed", 0)),
            share=float(data.get("share", 0.0)),
            kinds={str(k): float(v) for k, v in kinds.items()} if kinds else
            dict.fromkeys(FAULT_KINDS, 1.0),
            slow_seconds=float(data.get("slow_seconds", 1.0)),
            paths=list(data.get("paths", ["*"])),
            nth=[NthCallRule(path=r["path"], n=int(r["n"]), kind=str(r["kind"]),
                             method=r.get("method")) for r in data.get("nth", [])],
        )

    def to_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "share": self.share, "kinds": dict(self.kinds),
                "slow_seconds": self.slow_seconds, "paths": list(self.paths),
                "nth": [r.to_json() for r in self.nth]}


class FaultSwitch:
    """Holds the current plan so the control endpoint can swap it while serving."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self.plan = plan or FaultPlan()

    def replace(self, plan: FaultPlan) -> None:
        self.plan = plan

    def clear(self) -> None:
        self.plan = FaultPlan()

    def decide(self, method: str, path: str) -> Fault | None:
        return self.plan.decide(method, path)


class ConnectionDropped(ConnectionAbortedError):
    """A "drop" fault. `close()` shuts the socket so the client sees no answer at all.

    Werkzeug's server treats a ConnectionError from the app as a dropped connection and
    writes nothing; without the shutdown it would keep the socket open and the client
    would wait for its timeout.
    """

    def __init__(self, environ: WSGIEnvironment) -> None:
        super().__init__("sandbox fault: connection dropped")
        self.environ = environ

    def close(self) -> None:
        sock = self.environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # the client may already be gone
                sock.shutdown(socket.SHUT_RDWR)


ErrorResponseFactory = Callable[[int], Response]


class FaultMiddleware:
    """Applies a fault plan before the vendor app; error bodies in the vendor's shape."""

    def __init__(
        self, app: WSGIApplication, faults: FaultSwitch, error_response: ErrorResponseFactory,
        *, close_dropped: bool = True,
    ) -> None:
        self.app = app
        self.faults = faults
        self.error_response = error_response
        # False when an outer layer (SandboxApp) closes the socket after logging the drop.
        self.close_dropped = close_dropped

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        fault = self.faults.decide(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"))
        if fault is None:
            return self.app(environ, start_response)
        if fault.kind == "drop":
            dropped = ConnectionDropped(environ)
            if self.close_dropped:
                dropped.close()
            raise dropped
        if fault.kind == "slow":
            time.sleep(fault.delay_seconds)
            return self.app(environ, start_response)
        return self.error_response(STATUS_FAULTS[fault.kind])(environ, start_response)
