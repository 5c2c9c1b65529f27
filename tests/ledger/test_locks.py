"""Job locks: two holders never run one job at once, and nobody blocks forever."""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from sync.ledger import Ledger
from sync.ledger.locks import lease_owner, lock_key
from sync.ledger.models import JobLockRow
from tests.ledger import lock_helpers
from tests.ledger.conftest import Clock

SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters, like two replicas


def _name() -> str:
    return f"sync-{uuid.uuid4().hex[:8]}"


def test_lock_key_is_stable_and_signed_64_bit() -> None:
    assert lock_key("sync") == lock_key("sync") != lock_key("pay")
    assert -(2**63) <= lock_key("sync") < 2**63


def test_two_ledgers_one_lock(open_ledger: Callable[[], Ledger]) -> None:
    first, second, name = open_ledger(), open_ledger(), _name()
    with first.job_lock(name) as held:
        assert held is True
        with second.job_lock(name) as other:
            assert other is False
        with second.job_lock(f"{name}-other") as unrelated:
            assert unrelated is True
    with second.job_lock(name) as held_now:
        assert held_now is True


def test_lock_is_released_when_the_job_raises(open_ledger: Callable[[], Ledger]) -> None:
    first, second, name = open_ledger(), open_ledger(), _name()
    with pytest.raises(RuntimeError), first.job_lock(name):
        raise RuntimeError("job failed")
    with second.job_lock(name) as held:
        assert held is True


def test_two_processes_one_lock(ledger_url: str, ledger: Ledger) -> None:
    name = _name()
    results, held, release, released = SPAWN.Queue(), SPAWN.Event(), SPAWN.Event(), SPAWN.Event()
    holder = SPAWN.Process(target=lock_helpers.hold, args=(ledger_url, name, results, held, release))
    prober = SPAWN.Process(target=lock_helpers.probe,
                           args=(ledger_url, name, results, held, release, released))
    holder.start()
    prober.start()
    holder.join(lock_helpers.WAIT)
    released.set()
    prober.join(lock_helpers.WAIT)
    assert (holder.exitcode, prober.exitcode) == (0, 0)
    seen = [results.get(timeout=5) for _ in range(3)]
    assert seen == [("holder", True), ("while held", False), ("after release", True)]


def test_postgres_lock_dies_with_its_process(postgres_schema_url: str) -> None:
    ledger = Ledger.open(postgres_schema_url)
    name = _name()
    results, held, release = SPAWN.Queue(), SPAWN.Event(), SPAWN.Event()
    holder = SPAWN.Process(target=lock_helpers.hold,
                           args=(postgres_schema_url, name, results, held, release, True))
    holder.start()
    assert held.wait(lock_helpers.WAIT)
    with ledger.job_lock(name) as acquired:
        assert acquired is False
    release.set()
    holder.join(lock_helpers.WAIT)
    assert results.get(timeout=5) == ("holder", True)
    # The server drops a dead session's lock once it notices the closed socket: soon,
    # not instantly, so poll for a bounded time rather than race it.
    deadline = time.monotonic() + lock_helpers.WAIT
    acquired = False
    while not acquired and time.monotonic() < deadline:
        with ledger.job_lock(name) as acquired:
            pass
        if not acquired:
            time.sleep(0.1)
    assert acquired is True
    ledger.close()


def test_sqlite_lease_of_a_dead_holder_expires(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    clock = Clock()
    dead = Ledger.open(url, clock=clock)
    dead.migrate()
    lock = dead.job_lock("sync", lease_seconds=60)
    assert lock.__enter__() is True  # entered and never exited: the holder died
    later = Ledger.open(url, clock=clock)
    with later.job_lock("sync", lease_seconds=60) as acquired:
        assert acquired is False
    clock.advance(seconds=61)
    with later.job_lock("sync", lease_seconds=60) as acquired:
        assert acquired is True
    lock.__exit__(None, None, None)  # stops the dead holder's heartbeat; its row is gone
    dead.close()
    later.close()


def test_sqlite_heartbeat_keeps_a_long_job_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    holder, other = Ledger.open(url), Ledger.open(url)
    holder.migrate()
    with holder.job_lock("sync", lease_seconds=0.6) as acquired:
        assert acquired is True
        time.sleep(1.5)  # more than two leases: only renewals keep it
        with other.job_lock("sync", lease_seconds=0.6) as stolen:
            assert stolen is False
    with other.job_lock("sync") as acquired:
        assert acquired is True
    holder.close()
    other.close()


def test_sqlite_lease_of_a_holder_killed_on_this_machine_is_taken_at_once(
        tmp_path: Path) -> None:
    """A worker killed (SIGKILL, OOM) and restarted on the same machine need not wait
    out its predecessor's lease: the owner names its process, and that process is gone."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger.open(url).migrate()
    results, held, release = SPAWN.Queue(), SPAWN.Event(), SPAWN.Event()
    holder = SPAWN.Process(target=lock_helpers.hold,
                           args=(url, "sync", results, held, release, True))
    holder.start()
    assert held.wait(lock_helpers.WAIT)
    later = Ledger.open(url)
    with later.job_lock("sync") as acquired:
        assert acquired is False  # alive: its lease holds
    release.set()
    holder.join(lock_helpers.WAIT)
    assert results.get(timeout=5) == ("holder", True)
    with later.job_lock("sync") as acquired:
        assert acquired is True  # dead without releasing: 900 s lease, taken now
    later.close()


def test_sqlite_lease_of_a_holder_on_another_machine_waits_for_expiry(tmp_path: Path) -> None:
    """A pid means nothing on another machine: only the lease's expiry frees the job."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    clock = Clock()
    ledger = Ledger.open(url, clock=clock)
    ledger.migrate()
    elsewhere = f"{uuid.uuid4().hex}:{2**22 + 1}:0123456789abcdef"  # no such pid here
    with ledger.transaction() as session:
        session.add(JobLockRow(name="sync", owner=elsewhere, acquired_at=clock(),
                               expires_at=clock() + timedelta(seconds=60)))
    with ledger.job_lock("sync", lease_seconds=60) as acquired:
        assert acquired is False
    clock.advance(seconds=61)
    with ledger.job_lock("sync", lease_seconds=60) as acquired:
        assert acquired is True
    ledger.close()


def test_lease_owner_names_this_process_and_machine() -> None:
    pid = os.getpid()
    mine, other = lease_owner(), lease_owner(pid)
    assert mine != other and mine.split(":")[1:] == other.split(":")[1:]
    assert mine.split(":")[1] == str(pid) and len(mine) <= 64
