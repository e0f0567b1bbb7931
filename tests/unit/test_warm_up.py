"""`goodwill serve` freezes what its warm-up leaves, once the builds at start are done."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from goodwill.web.warm_up import freeze_when_warm


@pytest.fixture(autouse=True)
def unfrozen_after() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the session's objects back in the collector's care


def _frozen(obj: object) -> bool:
    # A tracked object in none of the collector's generations is in the permanent one.
    return gc.is_tracked(obj) and all(o is not obj for o in gc.get_objects())


def test_what_the_builds_leave_is_frozen_once_they_are_done() -> None:
    release = threading.Event()
    kept: list[object] = []

    def build() -> None:
        release.wait(10)
        kept.append({"rows": [1, 2, 3]})

    started = threading.Thread(target=build)
    started.start()
    freezing = freeze_when_warm([started, None])
    freezing.join(0.2)
    assert freezing.is_alive()  # still waiting for the build
    release.set()
    freezing.join(10)
    assert not freezing.is_alive()
    assert _frozen(kept[0])
    later = {"made": "after"}
    assert not _frozen(later)
