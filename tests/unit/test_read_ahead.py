"""Items made ahead by threads come in order; their errors and an early stop reach them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.analytics.read_ahead import ahead, mapped_ahead


def test_items_come_in_order_whatever_the_depth() -> None:
    for depth in (1, 2, 5):
        assert list(ahead(iter(range(50)), depth)) == list(range(50))


def test_an_error_in_the_worker_is_raised_in_the_caller_after_the_items_before_it() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("bad batch")

    got = []
    with pytest.raises(ValueError, match="bad batch"):
        for item in ahead(failing()):
            got.append(item)
    assert got == [1]


def endless(closed: threading.Event) -> Iterator[int]:
    """0, 1, 2, ... until closed; then ``closed`` is set."""
    try:
        n = 0
        while True:
            yield n
            n += 1
    finally:
        closed.set()


def test_a_caller_that_stops_early_stops_and_closes_the_worker() -> None:
    closed = threading.Event()
    items = ahead(endless(closed), depth=2)
    assert next(items) == 0
    items.close()
    assert closed.is_set()
    assert not any(t.name == "goodwill-ahead" for t in threading.enumerate())


@settings(max_examples=40, deadline=None)
@given(
    items=st.lists(st.integers(), max_size=30),
    workers=st.integers(1, 4),
    delays=st.lists(st.floats(0, 0.002), min_size=1, max_size=5),
)
def test_mapped_items_come_in_order_whatever_finishes_first(
    items: list[int], workers: int, delays: list[float]
) -> None:
    def slow_square(x: int) -> int:
        time.sleep(delays[x % len(delays)])  # later items often finish first
        return x * x

    assert list(mapped_ahead(slow_square, items, workers)) == [x * x for x in items]


def test_mapped_work_runs_in_several_threads_at_once() -> None:
    both = threading.Barrier(2, timeout=5)

    def meet(x: int) -> int:
        both.wait()  # only returns once two items are being worked on at the same time
        return x

    assert list(mapped_ahead(meet, range(4), workers=2)) == [0, 1, 2, 3]


def test_a_mapped_error_is_raised_after_the_results_before_it() -> None:
    def check(x: int) -> int:
        if x == 3:
            raise ValueError("bad batch 3")
        return x

    got = []
    with pytest.raises(ValueError, match="bad batch 3"):
        for item in mapped_ahead(check, range(10), workers=3):
            got.append(item)
    assert got == [0, 1, 2]


def test_an_error_in_the_mapped_items_is_raised_after_their_results() -> None:
    def failing() -> Iterator[int]:
        yield from range(4)
        raise ValueError("unreadable row group")

    got = []
    with pytest.raises(ValueError, match="unreadable row group"):
        for item in mapped_ahead(lambda x: x + 1, failing(), workers=2):
            got.append(item)
    assert got == [1, 2, 3, 4]


def test_a_caller_that_stops_mapping_early_closes_the_items_and_the_workers() -> None:
    closed = threading.Event()
    started: list[int] = []

    def record(x: int) -> int:
        started.append(x)
        return x

    items = mapped_ahead(record, endless(closed), workers=2)
    assert next(items) == 0
    items.close()
    assert closed.is_set()
    assert len(started) <= 3  # never more than the workers and one waiting
    assert not any(t.name.startswith("goodwill-mapped") for t in threading.enumerate())
