"""Recording care runs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.store.models import Run, RunStatus


def start_run(
    session: Session, asof: date, *, dry_run: bool = False, now: datetime | None = None
) -> Run:
    """Record that a run for ``asof`` has started; flushed, so ``run.id`` is set."""
    run = Run(asof=asof, started_at=now or datetime.now(UTC), dry_run=dry_run, counts={})
    run.status = RunStatus.RUNNING
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run: Run,
    counts: Mapping[str, int],
    *,
    status: RunStatus = RunStatus.SUCCEEDED,
    now: datetime | None = None,
) -> Run:
    """Record how a run ended and what it counted (moments found, acted on, messages …)."""
    run.status = status
    run.counts = dict(counts)
    run.finished_at = now or datetime.now(UTC)
    session.flush()
    return run


def latest_runs(session: Session, limit: int = 20) -> list[Run]:
    """The most recent runs, newest first."""
    return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))
