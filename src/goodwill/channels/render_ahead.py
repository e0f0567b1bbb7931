"""A care run's messages rendered ahead, in worker processes, while the run writes its rows.

Rendering is pure CPU and each message stands alone, so where the run knows a message's
words before it writes anything (the moment, the customer's name, the owner who signs
it, its links), :class:`RendersAhead` hands chunks of them to forked workers, which read
the jobs and the templates from the memory they inherit (nothing is pickled on the way
out) and send back the rendered messages. The run takes each message when it queues it,
in its own order, so the outbox gets the same rows in the same order as rendering in
process would give.

Nothing here decides what is sent: a message that fails in a worker, or a worker that
dies, is rendered again in the run's own process, which raises what rendering raises
there. Where ``fork`` is not available, or there are too few messages to repay starting
workers, :meth:`RendersAhead.take` answers None and the caller renders as before.

    ahead = RendersAhead.start(renderer, {"better_plan:S1:2026-10": job, ...})
    try:
        rendered = ahead.take("better_plan:S1:2026-10") or job.render(renderer)
    finally:
        ahead.close()
"""

from __future__ import annotations

import logging
import multiprocessing
import warnings
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from typing import NamedTuple

from goodwill.analytics.read_ahead import usable_cores
from goodwill.channels.render import MessageRenderer, RenderedMessage
from goodwill.domain.contact import Owner
from goodwill.domain.moments import Moment

#: Below this many messages, rendering in process is as quick as starting workers and
#: waiting for them (2 cores, the 100,000-customer sample's messages taken at once: 1,000
#: in 76 ms in process, 97 ms ahead; 2,000 in 148 ms and 145 ms; 4,000 in 292 and 246 ms).
#: In a run, workers also overlap the run's writes, which a count cannot show: kept safe.
MIN_MESSAGES_AHEAD = 4_000
#: Messages per task: large enough that the pipes carry few, big answers.
CHUNK_MESSAGES = 500

log = logging.getLogger("goodwill.channels")


class RenderJob(NamedTuple):
    """What :meth:`MessageRenderer.render` takes for one message; ``links`` may be a
    function that makes them, to be called where the message renders (a worker)."""

    moment: Moment
    customer_name: str
    owner: Owner | None
    links: Mapping[str, str] | Callable[[], Mapping[str, str]]

    def render(self, renderer: MessageRenderer) -> RenderedMessage:
        links = self.links() if callable(self.links) else self.links
        return renderer.render(self.moment, self.customer_name, self.owner, links)


#: The worker's renderer and jobs, inherited from the run at the fork.
_inherited: tuple[MessageRenderer, list[RenderJob]] | None = None


class RendersAhead:
    """Messages rendered ahead by key (a moment's dedupe key), taken one by one."""

    def __init__(self, renderer: MessageRenderer, jobs: Mapping[str, RenderJob]) -> None:
        self._renderer = renderer
        self._jobs = list(jobs.values())
        self._position = {key: i for i, key in enumerate(jobs)}
        self._chunks: list[Future[list[RenderedMessage | None]]] = []
        self._done: dict[int, list[RenderedMessage | None] | None] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._chunk = CHUNK_MESSAGES
        self._failed = False

    @classmethod
    def start(
        cls,
        renderer: MessageRenderer,
        jobs: Mapping[str, RenderJob],
        *,
        workers: int | None = None,
        min_messages: int | None = None,
    ) -> RendersAhead:
        """Start rendering ``jobs`` in ``workers`` processes (default: one per core the
        process may use); with fewer than ``min_messages`` jobs (default
        :data:`MIN_MESSAGES_AHEAD`), or no ``fork``, none."""
        ahead = cls(renderer, jobs)
        workers = usable_cores() if workers is None else workers
        enough = len(jobs) >= max(1, MIN_MESSAGES_AHEAD if min_messages is None else min_messages)
        if workers > 0 and enough and "fork" in multiprocessing.get_all_start_methods():
            ahead._fork(workers)
        return ahead

    def _fork(self, workers: int) -> None:
        global _inherited
        log.debug("rendering %d messages ahead in %d workers", len(self._jobs), workers)
        _inherited = (self._renderer, self._jobs)  # what the forked workers start with
        try:
            with warnings.catch_warnings():
                # Python 3.12 warns of fork in a process with threads (DuckDB's): a lock
                # another thread holds at the fork stays held in the child. The workers
                # only run Python (the interpreter and C's malloc reset their own locks
                # in a forked child) and never call into DuckDB or the store.
                warnings.filterwarnings("ignore", "This process .* is multi-threaded")
                self._pool = ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context("fork")
                )
                self._chunks = [
                    self._pool.submit(_render_chunk, start, start + self._chunk)
                    for start in range(0, len(self._jobs), self._chunk)
                ]  # the workers fork at the first submit, all of them (fork spawns eagerly)
        finally:
            _inherited = None

    @property
    def in_workers(self) -> bool:
        """Whether workers render the messages (else :meth:`take` answers None)."""
        return self._pool is not None

    def only(self, keys: Collection[str]) -> None:
        """Only the messages of ``keys`` will be taken: chunks with none of them not
        yet started are dropped (a run that finds its moments stored already)."""
        wanted = {self._position[k] // self._chunk for k in keys if k in self._position}
        for chunk, future in enumerate(self._chunks):
            if chunk not in wanted:
                future.cancel()

    def take(self, key: str) -> RenderedMessage | None:
        """The message of ``key`` rendered ahead (again in process if its worker failed),
        or None where it was not rendered ahead."""
        position = self._position.get(key)
        if position is None or self._pool is None:
            return None
        chunk, offset = divmod(position, self._chunk)
        if chunk not in self._done:
            self._done[chunk] = self._answer(chunk)
        answers = self._done[chunk]
        rendered = None
        if answers is not None:  # handed over, not kept: the outbox writes it in batches
            rendered, answers[offset] = answers[offset], None
        return rendered or self._jobs[position].render(self._renderer)

    def _answer(self, chunk: int) -> list[RenderedMessage | None] | None:
        try:
            return self._chunks[chunk].result()
        except Exception as failed:  # a worker died or its answer did not come back
            if not self._failed:  # once: a broken pool fails every chunk left
                log.warning("rendering messages in process: a render worker failed (%r)", failed)
            self._failed = True
            return None

    def close(self) -> None:
        """Stop the workers; the chunks not taken are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _render_chunk(start: int, stop: int) -> list[RenderedMessage | None]:
    """In a worker: the messages of jobs ``start:stop``; None for one that failed, which
    the run renders again itself to raise the error where it belongs."""
    assert _inherited is not None, "render workers are forked from a run's RendersAhead"
    renderer, jobs = _inherited
    rendered: list[RenderedMessage | None] = []
    for job in jobs[start:stop]:
        try:
            rendered.append(job.render(renderer))
        except Exception:
            rendered.append(None)
    return rendered
