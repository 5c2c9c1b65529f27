"""sync.writeback.lanes: the general lane (upserts, updates) and the association lane go
side by side, SENDERS tasks each; the first failure in either stops what has not
started in both. Plain tasks here; tests/apply/test_side_by_side.py does the same
through the SDK against the HubSpot stand-in."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from sync.writeback.lanes import BACKLOG, SENDERS, Task, Upsert, send_side_by_side

WAIT = 10.0  # seconds before a test gives up on an event that should already have come
MARGIN = 0.2  # seconds a task under way lingers after a failure, so the failing lane
# records it before that task's lane looks for the next one (no figure is asserted)


class Log:
    """What ran, in order, from every lane's threads."""

    def __init__(self) -> None:
        self.ran: list[str] = []
        self._lock = threading.Lock()

    def note(self, name: str) -> None:
        with self._lock:
            self.ran.append(name)

    def task(self, name: str, then: Callable[[], object] = lambda: None) -> Task:
        def run() -> None:
            self.note(name)
            then()
        return run

    def upsert(self, name: str, associate: Callable[[], object] = lambda: None) -> Upsert:
        def run() -> Task:
            self.note(name)
            return self.task(f"{name}.associations", associate)
        return run


def waits_for(event: threading.Event) -> Callable[[], None]:
    def wait() -> None:
        assert event.wait(WAIT), "waited in vain: the lanes ran one after the other"
    return wait


def test_updates_go_while_the_associations_wait() -> None:
    log = Log()
    updates_done = threading.Event()
    upserts = [log.upsert(f"upsert {n}", waits_for(updates_done)) for n in range(2)]
    updates = [log.task("update 0"), log.task("update 1", updates_done.set)]

    send_side_by_side(upserts, updates)

    assert sorted(log.ran) == ["update 0", "update 1", "upsert 0", "upsert 0.associations",
                               "upsert 1", "upsert 1.associations"]


def test_each_lane_has_its_tasks_two_at_a_time() -> None:
    log = Log()
    both_updating = threading.Barrier(SENDERS, timeout=WAIT)
    both_associating = threading.Barrier(SENDERS, timeout=WAIT)
    upserts = [log.upsert(f"upsert {n}", both_associating.wait) for n in range(SENDERS)]
    updates = [log.task(f"update {n}", both_updating.wait) for n in range(SENDERS)]

    send_side_by_side(upserts, updates)  # a barrier broken by one at a time raises

    assert len(log.ran) == 3 * SENDERS


def test_at_most_the_backlog_waits_for_its_associations() -> None:
    log = Log()
    full = threading.Event()
    associated: list[int] = []
    waiting: list[int] = []  # at each upsert's start: chunks upserted and not yet associated

    def upsert(n: int) -> Upsert:
        def associate() -> None:
            assert full.wait(WAIT)
            associated.append(n)

        def run() -> Task:
            waiting.append(sum(1 for name in log.ran if name.startswith("upsert"))
                           - len(associated))
            log.note(f"upsert {n}")
            if n == BACKLOG - 1:
                full.set()  # no association ended before the backlog was full
            return associate
        return run

    send_side_by_side([upsert(n) for n in range(3 * BACKLOG)], [])

    assert waiting[:BACKLOG] == list(range(BACKLOG))
    assert max(waiting) <= BACKLOG - 1  # this one makes BACKLOG
    assert sorted(associated) == list(range(3 * BACKLOG))


def test_a_failed_update_stops_the_associations_not_started() -> None:
    log = Log()
    failed = threading.Event()
    associating = threading.Barrier(SENDERS + 1, timeout=WAIT)  # the two, and the update

    def update_fails() -> None:
        associating.wait()  # both association tasks are under way
        failed.set()
        raise ConnectionError("update failed")

    def under_way() -> None:
        associating.wait()
        failed.wait(WAIT)
        threading.Event().wait(MARGIN)

    upserts = [log.upsert(f"upsert {n}", under_way) for n in range(BACKLOG)]
    with pytest.raises(ConnectionError, match="update failed"):
        send_side_by_side(upserts, [update_fails, log.task("update 1")])

    associated = [name for name in log.ran if name.endswith("associations")]
    assert len(associated) == SENDERS  # under way: finished; the other two never started


def test_a_failed_association_stops_the_upserts_and_updates_not_started() -> None:
    log = Log()

    def fails() -> None:
        raise ConnectionError("association failed")

    def upsert(n: int) -> Upsert:
        def run() -> Task:
            log.note(f"upsert {n}")
            return fails if n == 0 else log.task(f"upsert {n}.associations")
        return run

    def update() -> None:
        threading.Event().wait(MARGIN / 4)

    updates = [log.task(f"update {n}", update) for n in range(200)]
    with pytest.raises(ConnectionError, match="association failed"):
        send_side_by_side([upsert(0)], updates, backlog=1)

    assert len(log.ran) < 20  # the failure cancelled the updates not yet started
