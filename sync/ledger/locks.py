"""Job locks: at most one holder per job name across worker replicas; never blocks.

PostgreSQL: ``pg_try_advisory_lock`` on a dedicated connection held for the job. The
server releases it when the holder unlocks, or when its connection or process dies.

SQLite: a lease row in ``job_locks`` (owner, expiry), renewed by a heartbeat thread
while held. Chosen over holding ``BEGIN IMMEDIATE`` for the job's duration, which would
lock the whole database and block the job's own writes from other connections. A
holder that dies without releasing keeps the job for at most one lease -- unless it
died on this machine: the owner names its process and machine, and a holder whose
process no longer exists here is replaced at once (a worker killed by SIGKILL or the
OOM killer and restarted need not wait out the lease). A pid reused since only makes
the next holder wait for the lease, never take a live one's.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from sync.ledger.models import JobLockRow

Clock = Callable[[], datetime]


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (Python's ``hash`` is salted per process)."""
    digest = hashlib.blake2b(f"partnersync:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def advisory_lock(engine: Engine, name: str) -> Iterator[bool]:
    key = lock_key(name)
    # AUTOCOMMIT: a session-level lock, with no transaction left open for the job's length
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        acquired = bool(connection.execute(select(func.pg_try_advisory_lock(key))).scalar())
        try:
            yield acquired
        finally:
            if acquired:
                _unlock(connection, key)
    finally:
        connection.close()


def _unlock(connection: Connection, key: int) -> None:
    try:
        connection.execute(select(func.pg_advisory_unlock(key)))
    except SQLAlchemyError:
        connection.invalidate()  # ending the server session releases the lock


def _machine() -> str:
    """This machine as processes on it see it: the host name, and the pid namespace
    (two containers may share a host name and a ledger file, never a pid namespace)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    digest = hashlib.blake2b(f"{socket.gethostname()}|{namespace}".encode(), digest_size=8)
    return digest.hexdigest()


def lease_owner(pid: int | None = None) -> str:
    """``<random>:<pid>:<machine>``: unique per holder, and telling where it runs."""
    return f"{uuid.uuid4().hex}:{os.getpid() if pid is None else pid}:{_machine()}"


def _dead_here(owner: str) -> bool:
    """True only when ``owner`` ran on this machine and its process no longer exists."""
    parts = owner.split(":")
    if len(parts) != 3 or parts[2] != _machine() or not parts[1].isdigit():
        return False  # another machine, or an owner recorded before pids were
    pid = int(parts[1])
    if pid == os.getpid():
        return False  # this process holds it (another thread, or a re-entry)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists (another user's): alive as far as we can tell
    return False


class _Lease:
    def __init__(self, sessions: sessionmaker[Session], name: str, lease: timedelta,
                 clock: Clock) -> None:
        self.sessions, self.name, self.lease, self.clock = sessions, name, lease, clock
        self.owner = lease_owner()

    def acquire(self) -> bool:
        now = self.clock()
        with self.sessions.begin() as session:  # BEGIN IMMEDIATE: nobody writes between
            session.execute(delete(JobLockRow).where(
                JobLockRow.name == self.name, JobLockRow.expires_at < now))
            holder = session.scalar(select(JobLockRow.owner).where(
                JobLockRow.name == self.name))
            if holder is not None and _dead_here(holder):
                session.execute(delete(JobLockRow).where(
                    JobLockRow.name == self.name, JobLockRow.owner == holder))
            statement = sqlite.insert(JobLockRow).values(
                name=self.name, owner=self.owner, acquired_at=now, expires_at=now + self.lease,
            ).on_conflict_do_nothing(index_elements=["name"]).returning(JobLockRow.owner)
            return session.connection().execute(statement).first() is not None

    def renew(self) -> bool:
        with self.sessions.begin() as session:
            statement = update(JobLockRow).where(
                JobLockRow.name == self.name, JobLockRow.owner == self.owner,
            ).values(expires_at=self.clock() + self.lease).returning(JobLockRow.owner)
            return session.connection().execute(statement).first() is not None

    def release(self) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(JobLockRow).where(
                JobLockRow.name == self.name, JobLockRow.owner == self.owner))


def _heartbeat(lease: _Lease, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            if not lease.renew():
                return  # the lease was lost (expired and taken): nothing left to renew
        except SQLAlchemyError:
            continue  # a busy database: try again at the next beat


@contextmanager
def lease_lock(sessions: sessionmaker[Session], name: str, lease_seconds: float,
               clock: Clock) -> Iterator[bool]:
    lease = _Lease(sessions, name, timedelta(seconds=lease_seconds), clock)
    if not lease.acquire():
        yield False
        return
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(lease, stop, lease_seconds / 3),
                            name=f"job-lock-{name}", daemon=True)
    beat.start()
    try:
        yield True
    finally:
        stop.set()
        beat.join()
        lease.release()
