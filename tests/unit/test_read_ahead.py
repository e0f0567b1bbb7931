"""Items made ahead by a thread come in order; its errors and an early stop reach it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from goodwill.analytics.read_ahead import ahead


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


def test_a_caller_that_stops_early_stops_and_closes_the_worker() -> None:
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    items = ahead(endless(), depth=2)
    assert next(items) == 0
    items.close()
    assert closed.is_set()
    assert not any(t.name == "goodwill-ahead" for t in threading.enumerate())
