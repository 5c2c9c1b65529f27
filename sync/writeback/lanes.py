"""HubSpot's write-back in two lanes, one per rate window, side by side.

HubSpot counts its v4 association batches in a 10-second window of their own, apart from
every other call (docs/configuration.md). Sent kind after kind, each chunk's upsert and
then its associations, a run waits on one window while the other idles: on the
association window while lines and payouts are associated, on the general one while
deals and companies are updated. Here the general lane (upserts, then updates) and the
association lane go at once, ``SENDERS`` threads each: an upserted chunk's associations
are queued to the association lane while the general lane upserts the next chunk, or
updates deals and companies while ``BACKLOG`` chunks wait for their associations.

A chunk is settled by the task that ends it: its associations, or its upsert when it
has nothing to associate. The first failure in either lane stops every task not yet
started in both lanes; the tasks under way finish and settle, then it is raised. A
chunk upserted whose associations had not started is left pending, like one a killed
run upserted: the next run upserts it again on its unique id and associates it. At
most ``BACKLOG`` chunks are in that state at any moment. ``in_parallel`` is a general
lane alone: Stripe's metadata, one call a customer, two at a time.
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

SENDERS = 2  # tasks in flight per lane: one at a time waits on round trips, not the pacer
# Chunks upserted (or being upserted) whose associations are not yet written: enough that
# the association lane never waits for an upsert; few, as a killed run re-sends them.
BACKLOG = 2 * SENDERS

Task = Callable[[], None]
Upsert = Callable[[], Task | None]  # returns its chunk's associations task, if any


def send_side_by_side(upserts: Iterable[Upsert], updates: Iterable[Task], *,
                      senders: int = SENDERS, backlog: int = BACKLOG) -> None:
    """Run the upserts (their associations queued as they return) and the updates, in
    that order of priority on the general lane; raise the first failure."""
    _Lanes(upserts, updates, backlog).run(senders)


def in_parallel(tasks: Iterable[Task], *, senders: int = SENDERS) -> None:
    """``tasks`` ``senders`` at a time, in one lane, with the same stop on the first
    failure (Stripe's metadata: one call a customer, each waiting on its round trip)."""
    _Lanes((), tasks, BACKLOG).run(senders)


class _Lanes:
    def __init__(self, upserts: Iterable[Upsert], updates: Iterable[Task],
                 backlog: int) -> None:
        self._upserts = deque(upserts)
        self._updates = deque(updates)
        self._associations: deque[Task] = deque()
        self._unassociated = 0  # chunks being upserted, or upserted and not yet associated
        self._backlog = backlog
        self._failure: BaseException | None = None
        self._turn = threading.Condition()

    def run(self, senders: int) -> None:
        lanes = [self._next_general] * senders
        lanes += [self._next_association] * senders if self._upserts else []
        with ThreadPoolExecutor(max_workers=len(lanes),
                                thread_name_prefix="apply-hubspot") as pool:
            running = [pool.submit(contextvars.copy_context().run, self._lane, next_task)
                       for next_task in lanes]
            try:
                for lane in running:
                    lane.result()
            except BaseException as error:  # interrupted here: start nothing more
                self._stop(error)
                raise
        if self._failure is not None:
            raise self._failure

    def _lane(self, next_task: Callable[[], Task | None]) -> None:
        try:
            while (task := next_task()) is not None:
                task()
        except BaseException as error:
            self._stop(error)

    def _stop(self, error: BaseException) -> None:
        with self._turn:
            if self._failure is None:
                self._failure = error
            self._turn.notify_all()

    def _next_general(self) -> Task | None:
        """An upsert while the backlog has room (the association lane must not run dry),
        else an update, else wait for room; None once both are done or a lane failed."""
        with self._turn:
            while self._failure is None:
                if self._upserts and self._unassociated < self._backlog:
                    self._unassociated += 1
                    return partial(self._upsert, self._upserts.popleft())
                if self._updates:
                    return self._updates.popleft()
                if not self._upserts:
                    return None
                self._turn.wait()
            return None

    def _upsert(self, upsert: Upsert) -> None:
        associations: Task | None = None
        try:
            associations = upsert()
        finally:
            with self._turn:
                if associations is None:
                    self._unassociated -= 1
                else:
                    self._associations.append(associations)
                self._turn.notify_all()

    def _next_association(self) -> Task | None:
        with self._turn:
            while self._failure is None:
                if self._associations:
                    return partial(self._associate, self._associations.popleft())
                if not self._unassociated and not self._upserts:
                    return None
                self._turn.wait()
            return None

    def _associate(self, associations: Task) -> None:
        try:
            associations()
        finally:
            with self._turn:
                self._unassociated -= 1
                self._turn.notify_all()
