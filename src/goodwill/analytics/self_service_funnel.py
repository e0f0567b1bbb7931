"""Where self-service fails: the funnel of each job the web app recorded.

A job starts (step ``started``), passes its steps (``confirmed``, ``blocked`` …) and is
done. For each kind of job: how many reached each step, in the order the steps happen;
where the unfinished ones stopped (their last step); and the median time to done with its
95% interval. Read from the store's ``jobs`` table (``goodwill serve`` records them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from goodwill.analytics.scorecard.window import Window
from goodwill.domain.stats import Estimate, proportion, quantile_estimate


@dataclass(frozen=True)
class JobRow:
    """One recorded job: its kind, whether it is done, its steps in order, and its times."""

    kind: str
    done: bool
    steps: tuple[str, ...]
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class FunnelStep:
    """A step of a job's funnel: how many jobs reached it, as a share of those started, and
    how many stopped there (it was their last step and they are not done)."""

    step: str
    reached: int
    share: Estimate
    stopped_here: int


@dataclass(frozen=True)
class Funnel:
    """One kind of job, from started to done."""

    kind: str
    started: int
    done: Estimate
    steps: tuple[FunnelStep, ...]
    minutes_to_done: Estimate
    most_stop_at: str | None


def job_rows(engine: Engine, window: Window) -> list[JobRow]:
    """Every job started in the window (and the as-of day)."""
    from goodwill.store.models import Job, JobStatus

    query = select(Job.kind, Job.status, Job.steps, Job.started_at, Job.finished_at).where(
        (Job.started_at >= window.start) & (Job.started_at < window.through_asof)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [JobRow(kind, status == JobStatus.DONE, _names(steps), started, finished)
            for kind, status, steps, started, finished in rows]  # fmt: skip


def _names(steps: Sequence[dict[str, Any]] | None) -> tuple[str, ...]:
    return tuple(str(s.get("step", "")) for s in steps or () if isinstance(s, dict))


def funnels(rows: Sequence[JobRow]) -> list[Funnel]:
    """One funnel per kind of job, the kind with most jobs first."""
    kinds = Counter(r.kind for r in rows)
    return [funnel(kind, [r for r in rows if r.kind == kind]) for kind, _ in kinds.most_common()]


def funnel(kind: str, rows: Sequence[JobRow]) -> Funnel:
    """The funnel of one kind of job (see the module)."""
    order = _step_order(rows)
    started = len(rows)
    stopped = Counter(r.steps[-1] for r in rows if not r.done and r.steps)
    steps = []
    for step in (*order, "done"):
        reached = sum(1 for r in rows if (r.done if step == "done" else step in r.steps))
        steps.append(FunnelStep(step, reached, proportion(reached, started), stopped.get(step, 0)))
    minutes = [(r.finished_at - r.started_at).total_seconds() / 60
               for r in rows if r.done and r.finished_at is not None]  # fmt: skip
    most = stopped.most_common(1)[0][0] if stopped else None
    done = sum(1 for r in rows if r.done)
    return Funnel(kind, started, proportion(done, started), tuple(steps),
                  quantile_estimate(minutes, 0.5, "finished journeys"), most)  # fmt: skip


def _step_order(rows: Sequence[JobRow]) -> list[str]:
    """The steps by their mean position in the jobs that have them (``started`` first)."""
    positions: dict[str, list[int]] = {}
    for r in rows:
        for i, step in enumerate(r.steps):
            positions.setdefault(step, []).append(i)
    return sorted(positions, key=lambda s: (sum(positions[s]) / len(positions[s]), s))
