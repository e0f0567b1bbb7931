"""What `goodwill serve` does once its warm-up is over: the long-lived objects frozen.

A server's process holds for its lifetime everything it has imported and built at start
(numba, ibis, pandas and their caches, the snapshot's rows, today's scorecard and
advice), hundreds of thousands of objects. Python's cycle collector walked all of them
in each full pass, 100-250 ms in which no request is answered (every thread waits on the
interpreter): the care desk's 1-in-100 slow page. Once the background builds that start
with the server have finished, they are collected once and frozen (``gc.freeze``), so
later passes walk only what requests make. Reference counting still frees anything
dropped, frozen or not.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable


def freeze_when_warm(builds: Iterable[threading.Thread | None]) -> threading.Thread:
    """A thread that waits for ``builds`` (None: nothing to wait for), then collects once
    and freezes every object left, out of the cycle collector's later passes."""
    waiting = [build for build in builds if build is not None]

    def run() -> None:
        for build in waiting:
            build.join()
        gc.collect()
        gc.freeze()

    thread = threading.Thread(target=run, name="goodwill-warm", daemon=True)
    thread.start()
    return thread
