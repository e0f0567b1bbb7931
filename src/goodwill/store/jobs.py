"""Self-service jobs: started, its steps as they happen, done; what the scorecard counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.store.models import Job, JobStatus


def start_job(session: Session, customer_id: str, kind: str, *, now: datetime) -> Job:
    """Record that a customer started a job of ``kind`` (its first step is ``started``)."""
    job = Job(
        customer_id=customer_id,
        kind=kind,
        status=JobStatus.STARTED,
        steps=[{"step": "started", "at": now.isoformat()}],
        started_at=now,
    )
    session.add(job)
    session.flush()
    return job


def add_step(job: Job, step: str, *, now: datetime, done: bool = False) -> None:
    """Add a step to a job; ``done`` also finishes it."""
    job.steps = [
        *job.steps,
        {"step": step, "at": now.isoformat()},
    ]  # a new list: JSON is not tracked in place
    if done:
        job.status, job.finished_at = JobStatus.DONE, now


def job_of(session: Session, customer_id: str, job_id: int) -> Job | None:
    """The customer's job with this id; None when it is not theirs."""
    query = select(Job).where(Job.id == job_id, Job.customer_id == customer_id)
    return session.scalar(query)


def jobs_of(session: Session, customer_id: str, limit: int = 20) -> list[Job]:
    query = (
        select(Job)
        .where(Job.customer_id == customer_id)
        .order_by(Job.started_at.desc(), Job.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
