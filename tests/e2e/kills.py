"""Killing a worker run at a chosen step, without mock.patch.

A ``Doomed`` fake stands in for one of a ``Services``' collaborators (the ledger, the
HubSpot gateway, the Stripe gateway) and forwards every call to the real object. At
its ``KillPoint`` it raises ``Killed``, and from then on every call through any fake
of the same ``Process`` raises ``Killed`` too: like SIGKILL, nothing after the kill
point happens (no ``finally`` reaches the ledger or a vendor; the run is never
finished). ``kill_run`` installs the fakes, runs a sync until it dies, then puts the
real objects back so the dead process's connections can be closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from jobs.cycle import run_sync
from sync.wiring import Services

COLLABORATORS = ("ledger", "hubspot", "stripe")
HUBSPOT_WRITE_METHODS = frozenset({"upsert_records", "associate", "update_records"})


class Killed(BaseException):
    """The worker process died (not an ``Exception``: nothing may catch it)."""


@dataclass(frozen=True)
class KillPoint:
    collaborator: str  # "ledger", "hubspot" or "stripe"
    methods: frozenset[str]  # the calls counted
    nth: int = 1  # the counted call at which the process dies
    after: bool = True  # die once the real call returned; else instead of making it


class Process:
    """The fate shared by one worker process's fakes."""

    def __init__(self) -> None:
        self.dead_at: str | None = None

    def die(self, where: str) -> None:
        self.dead_at = where
        raise Killed(where)

    def check(self) -> None:
        if self.dead_at is not None:
            raise Killed(f"the process died at {self.dead_at}")


class Doomed:
    """Forwards to ``real`` while the process lives; dies at ``point`` if given."""

    def __init__(self, real: Any, process: Process, point: KillPoint | None) -> None:
        self._real, self._process, self._point = real, process, point
        self._counted = 0

    def __getattr__(self, name: str) -> Any:
        self._process.check()
        value = getattr(self._real, name)
        if not callable(value):
            return value
        return self._guarded(name, value)

    def _guarded(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self._process.check()
            if not self._is_fatal(name):
                return method(*args, **kwargs)
            assert self._point is not None
            if self._point.after:
                method(*args, **kwargs)
            self._process.die(f"{name} call {self._counted}")
            raise AssertionError("unreachable")

        return call

    def _is_fatal(self, name: str) -> bool:
        if self._point is None or name not in self._point.methods:
            return False
        self._counted += 1
        return self._counted == self._point.nth


def kill_run(services: Services, as_of: datetime, point: KillPoint) -> str:
    """Run a sync on ``services`` that dies at ``point``; returns where it died."""
    process = Process()
    reals = {name: getattr(services, name) for name in COLLABORATORS}
    for name, real in reals.items():
        fatal = point if name == point.collaborator else None
        services.__dict__[name] = Doomed(real, process, fatal)
    try:
        with pytest.raises(Killed):
            run_sync(services, as_of)
    finally:
        services.__dict__.update(reals)
        services.__dict__.pop("mirror", None)  # it was built on the dead ledger
    assert process.dead_at is not None, f"the run never reached {point}"
    return process.dead_at
