"""Read listings ahead of the code storing them, each on a thread of its own.

A full Stripe listing is thousands of pages read one after the other (each page's
cursor is the last id of the one before). Read in line with storing, the worker waits
for every page and the API waits for every store; read ahead, the next pages are on
their way while the last ones are stored, and the pull takes the longer of the two
instead of their sum. Several listings of one kind (parts of a time range) are read
side by side into one stream.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from queue import Empty, Full, Queue
from typing import Generic, TypeVar

T = TypeVar("T")
CHUNK = 100  # records handed over at a time (a page of most listings)
DEPTH = 4  # chunks read ahead at most, a listing: memory stays bounded
POLL_SECONDS = 0.5  # how soon an abandoned reader notices


@dataclass(frozen=True)
class _End:
    error: BaseException | None = None


@dataclass
class _Reader(Generic[T]):
    records: Iterable[T]
    queue: Queue[list[T] | _End]
    stop: threading.Event

    def run(self) -> None:
        chunk: list[T] = []
        try:
            for record in self.records:
                chunk.append(record)
                if len(chunk) == CHUNK:
                    if not self._put(chunk):
                        return
                    chunk = []
            if chunk and not self._put(chunk):
                return
            self._put(_End())
        except BaseException as error:  # handed to the consumer, raised there
            if not chunk or self._put(chunk):  # what was read before it, first
                self._put(_End(error))

    def _put(self, item: list[T] | _End) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=POLL_SECONDS)
                return True
            except Full:
                continue
        return False


def read_ahead(*listings: Iterable[T]) -> Iterator[T]:
    """The records of ``listings``, each iterated on its own thread up to ``DEPTH``
    chunks ahead; one listing's records keep their order, several are interleaved as
    they arrive. A failure is raised here, after the records read before it. Closing
    this iterator early stops the readers (after the read each is in)."""
    queue: Queue[list[T] | _End] = Queue(maxsize=DEPTH * max(len(listings), 1))
    stop = threading.Event()
    threads = []
    for records in listings:
        reader = _Reader(records, queue, stop)
        context = contextvars.copy_context()  # the run's log context, on the reader too
        threads.append(threading.Thread(target=context.run, args=(reader.run,),
                                        name="read-ahead", daemon=True))
    for thread in threads:
        thread.start()
    try:
        running = len(threads)
        while running:
            try:
                item = queue.get(timeout=POLL_SECONDS)
            except Empty:
                continue
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                running -= 1
                continue
            yield from item
    finally:
        stop.set()
        for thread in threads:
            thread.join()
