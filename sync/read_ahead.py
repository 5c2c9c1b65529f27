"""Read a listing ahead of the code storing it, on a thread of its own.

A full Stripe listing is thousands of pages read one after the other (each page's
cursor is the last id of the one before). Read in line with storing, the worker waits
for every page and the API waits for every store; read ahead, the next page is on its
way while the last one is stored, and the pull takes the longer of the two instead of
their sum.
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
DEPTH = 4  # chunks read ahead at most: memory stays bounded
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


def read_ahead(records: Iterable[T]) -> Iterator[T]:
    """``records`` as they arrive, iterated on another thread up to ``DEPTH`` chunks
    ahead; its failure is raised here, where it would have been. Closing this iterator
    early stops the reader (after the read it is in)."""
    reader = _Reader(records, Queue(maxsize=DEPTH), threading.Event())
    context = contextvars.copy_context()  # the run's log context, on the reader too
    thread = threading.Thread(target=context.run, args=(reader.run,), name="read-ahead",
                              daemon=True)
    thread.start()
    try:
        while True:
            try:
                item = reader.queue.get(timeout=POLL_SECONDS)
            except Empty:
                continue
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield from item
    finally:
        reader.stop.set()
        thread.join()
