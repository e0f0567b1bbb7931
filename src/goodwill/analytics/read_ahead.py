"""An iterator's items made by threads of their own, a few ahead of the caller.

The advice pipeline reads a batch (pyarrow), rates it (the numba kernel) and writes its
rows (pyarrow): each step releases the GIL, so with the steps in different threads the
next batches are read and rated while the caller writes this one. :func:`ahead` makes
an iterator's items in one thread; :func:`mapped_ahead` maps a function over them in
several, and hands the results back in order.

>>> list(ahead(iter(range(3))))
[0, 1, 2]
>>> list(mapped_ahead(lambda x: x * x, range(5), workers=2))
[0, 1, 4, 9, 16]
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from queue import Empty, Full, Queue
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
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


def mapped_ahead(function: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """``function(item)`` for each of ``items``, in the items' order, computed by
    ``workers`` threads: every worker has an item in hand and one more waits, so at most
    ``workers + 1`` results are held beyond the caller's. The items are taken from
    ``items`` in the caller's thread (wrap them in :func:`ahead` to make them in one of
    their own). An error, in ``function`` or in ``items``, is raised in the caller after
    the results before it; a caller that stops early cancels what has not started, waits
    for what has, and closes ``items``."""
    source = iter(items)
    pending: deque[Future[R]] = deque()
    failure: Exception | None = None
    more = True
    pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="goodwill-mapped")
    try:
        while True:
            while more and len(pending) <= workers:
                try:
                    pending.append(pool.submit(function, next(source)))
                except StopIteration:
                    more = False
                except Exception as error:  # raised once the results before it are handed on
                    failure, more = error, False
            if not pending:
                break
            yield pending.popleft().result()
        if failure is not None:
            raise failure
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
        close = getattr(source, "close", None)
        if close is not None:
            close()


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system says)."""
    sched_getaffinity = getattr(os, "sched_getaffinity", None)
    return len(sched_getaffinity(0)) if sched_getaffinity else (os.cpu_count() or 1)


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
