"""Where the web process delivers the outbox: one thread of its own, never a request.

A request that queues a message commits it with its action and calls :meth:`wake`, which
only sets a flag, so no request ever waits for an SMTP server or holds a store lock while
something is sent. The thread also wakes every ``interval_s`` for messages whose retry has
come due. Many web processes and `goodwill deliver` may run at once on one store: each
message is claimed under a lease before it is sent (see :mod:`goodwill.channels.outbox`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from goodwill.settings import Settings

log = logging.getLogger("goodwill.web")


def outbox_delivery(settings: Settings, engine: Engine) -> Callable[[], None]:
    """One delivery of everything due: emails through the channel the settings name, billing
    messages only to the billing webhook (see :func:`goodwill.channels.configure.deliver_all`)."""
    from goodwill.channels.configure import deliver_all

    def deliver_once() -> None:
        for report in deliver_all(engine, settings):
            log.info(
                "outbox: %d sent, %d to retry, %d failed",
                report.sent,
                report.retrying,
                report.failed,
            )

    return deliver_once


class DeliveryThread:
    """Runs ``deliver_once`` in a daemon thread when woken, and every ``interval_s``.

    >>> thread = DeliveryThread(lambda: None, interval_s=60)
    >>> thread.start(); thread.wake(); thread.settle(timeout_s=5); thread.stop()
    True
    """

    def __init__(self, deliver_once: Callable[[], None], interval_s: float) -> None:
        self._deliver_once, self._interval_s = deliver_once, interval_s
        self._changed = threading.Condition()
        self._pending = self._busy = self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (again, after :meth:`stop`); a second start while running does nothing."""
        with self._changed:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="goodwill-delivery", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Ask for a delivery soon; returns at once."""
        with self._changed:
            self._pending = True
            self._changed.notify_all()

    def settle(self, timeout_s: float = 30.0) -> bool:
        """Wait until nothing is asked for or running; False on timeout or when not started."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while self._thread is not None and (self._pending or self._busy):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return self._thread is not None

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the delivery under way (messages not sent stay queued) and end the thread."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while self._next():
            try:
                self._deliver_once()
            except Exception as exc:  # the messages stay in the outbox; the next wake retries
                log.warning("outbox delivery failed: %s: %s", type(exc).__name__, exc)
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()

    def _next(self) -> bool:
        with self._changed:
            if not self._pending and not self._stopping:
                self._changed.wait(self._interval_s)
            if self._stopping:
                return False
            self._pending, self._busy = False, True
            return True
