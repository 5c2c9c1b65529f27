"""apply.in_parallel: chunks go SENDERS at a time; the first failure stops the rest."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest

from sync.writeback.send import SENDERS, in_parallel


def test_chunks_are_sent_two_at_a_time() -> None:
    both_in_flight = threading.Barrier(SENDERS, timeout=10)
    sent: list[int] = []

    def send(chunk: Sequence[Any]) -> None:
        both_in_flight.wait()  # times out (BrokenBarrierError) if sent one at a time
        sent.append(chunk[0])

    in_parallel([[n] for n in range(SENDERS * 3)], send)
    assert sorted(sent) == list(range(SENDERS * 3))


def test_the_first_failure_is_raised_and_later_chunks_do_not_start() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def send(chunk: Sequence[Any]) -> None:
        with lock:
            started.append(chunk[0])
        if chunk[0] == 0:
            raise ConnectionError("chunk 0 failed")
        threading.Event().wait(0.05)

    with pytest.raises(ConnectionError, match="chunk 0 failed"):
        in_parallel([[n] for n in range(200)], send)
    assert len(started) < 20  # the failure cancelled the chunks not yet started
