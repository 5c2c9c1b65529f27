"""sync.pull.read_ahead: the same records in the same order, failures where they belong."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from sync.pull import read_ahead as module
from sync.pull.read_ahead import read_ahead


def test_gives_every_record_in_order_across_chunks() -> None:
    for count in (0, 1, module.CHUNK - 1, module.CHUNK, module.CHUNK * 7 + 3):
        assert list(read_ahead(iter(range(count)))) == list(range(count))


def test_the_listing_is_read_on_another_thread() -> None:
    def listing() -> Iterator[str]:
        yield threading.current_thread().name

    assert list(read_ahead(listing())) == ["read-ahead"]


def test_a_failure_is_raised_after_the_records_read_before_it() -> None:
    def listing() -> Iterator[int]:
        yield from range(250)
        raise ConnectionError("page 3 failed")

    records = read_ahead(listing())
    assert [next(records) for _ in range(250)] == list(range(250))
    with pytest.raises(ConnectionError, match="page 3 failed"):
        next(records)


def test_stopping_early_stops_the_reader_before_it_reads_everything() -> None:
    read = 0

    def listing() -> Iterator[int]:
        nonlocal read
        for number in range(100_000):
            read += 1
            yield number

    records = read_ahead(listing())
    assert next(records) == 0
    records.close()  # what a failed store does to the listing
    assert read <= module.CHUNK * (module.DEPTH + 2)
    assert not any(t.name == "read-ahead" for t in threading.enumerate())


def test_several_listings_are_read_side_by_side_each_in_its_order() -> None:
    first = [("a", n) for n in range(450)]
    second = [("b", n) for n in range(1_030)]
    read = list(read_ahead(iter(first), iter(second)))
    assert sorted(read) == sorted(first + second)
    assert [r for r in read if r[0] == "a"] == first
    assert [r for r in read if r[0] == "b"] == second


def test_a_failing_listing_fails_the_whole_read() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ConnectionError("listing b failed")

    with pytest.raises(ConnectionError, match="listing b failed"):
        list(read_ahead(iter(range(10_000)), failing()))
    assert not any(t.name == "read-ahead" for t in threading.enumerate())
