"""An iterator's items made by a thread of their own, a few ahead of the caller.

The advice pipeline reads a batch (pyarrow), rates it (the numba kernel) and writes its
rows (pyarrow): each step releases the GIL, so with the steps in different threads the
next batch is read and rated while the caller writes this one.

>>> list(ahead(iter(range(3))))
[0, 1, 2]
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from queue import Empty, Full, Queue
from typing import TypeVar

T = TypeVar("T")
#: How long a blocked thread waits before it looks again whether the other has stopped.
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = object()


def ahead(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """``items`` in order, each made by a worker thread up to ``depth`` items before the
    caller asks for it. An error in the worker is raised in the caller; a caller that
    stops early (or fails) stops the worker before this generator closes."""
    queue: Queue[object] = Queue(depth)
    stop = threading.Event()
    worker = threading.Thread(
        target=_produce, args=(iter(items), queue, stop), name="goodwill-ahead", daemon=True
    )
    worker.start()
    try:
        while True:
            item = _get(queue, worker)
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def _produce(items: Iterator[object], queue: Queue[object], stop: threading.Event) -> None:
    try:
        for item in items:
            if not _put(queue, item, stop):
                return
    except BaseException as error:  # handed to the caller, raised there
        _put(queue, _Failed(error), stop)
        return
    finally:  # a generator stopped early closes now, in the thread that ran it
        close = getattr(items, "close", None)
        if close is not None:
            close()
    _put(queue, _DONE, stop)


def _put(queue: Queue[object], item: object, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            queue.put(item, timeout=_POLL_SECONDS)
            return True
        except Full:
            continue
    return False


def _get(queue: Queue[object], worker: threading.Thread) -> object:
    while True:
        try:
            return queue.get(timeout=_POLL_SECONDS)
        except Empty:
            if not worker.is_alive() and queue.empty():
                return _Failed(RuntimeError("the read-ahead thread ended without a result"))
