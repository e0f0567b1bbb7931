"""What the scorecard reads from goodwill's own store: spend, advice acted on, experiment arms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from goodwill.analytics.scorecard.window import Window
from goodwill.store.models import Assignment, BudgetSpend, Experiment, Moment, MomentStatus


@dataclass(frozen=True)
class ArmRow:
    """One customer's arm in one gift kind's experiment, and when they were assigned."""

    kind: str
    customer_id: str
    arm: str
    assigned_at: datetime


def goodwill_spent(engine: Engine, window: Window) -> tuple[int, int]:
    """(total minor units, number of spends) given as goodwill in the window's months and
    the as-of month so far."""
    query = select(func.coalesce(func.sum(BudgetSpend.amount_minor), 0), func.count()).where(
        BudgetSpend.period.in_(window.periods_through_asof)
    )
    with engine.connect() as connection:
        total, count = connection.execute(query).one()
    return int(total), int(count)


def advice_handed_back(
    engine: Engine, window: Window, kind: str = "better_plan"
) -> tuple[int, int]:
    """(annual savings in minor units, moments) of plan advice acted on from the window's
    start to the end of the as-of day."""
    query = select(func.coalesce(func.sum(Moment.value_to_customer_minor), 0), func.count()).where(
        (Moment.kind == kind)
        & (Moment.status == str(MomentStatus.ACTED))
        & (Moment.created_at >= window.start)
        & (Moment.created_at < window.through_asof)
    )
    with engine.connect() as connection:
        total, count = connection.execute(query).one()
    return int(total), int(count)


def experiment_arms(engine: Engine) -> list[ArmRow]:
    """Every recorded assignment with its experiment's gift kind."""
    query = select(
        Experiment.kind, Assignment.customer_id, Assignment.arm, Assignment.assigned_at
    ).join(Experiment, Experiment.id == Assignment.experiment_id)
    with engine.connect() as connection:
        return [ArmRow(*row) for row in connection.execute(query)]


def given_back_by_customer(engine: Engine, customer_ids: list[str] | None = None) -> dict[str, int]:
    """Minor units given to each customer (credits and other spends linked to an action)."""
    from goodwill.store.models import Action

    query = (
        select(Action.customer_id, func.sum(BudgetSpend.amount_minor))
        .join(BudgetSpend, BudgetSpend.action_id == Action.id)
        .group_by(Action.customer_id)
    )
    with engine.connect() as connection:
        rows = {cid: int(total) for cid, total in connection.execute(query)}
    if customer_ids is None:
        return rows
    return {cid: rows.get(cid, 0) for cid in customer_ids}


def self_service_jobs(engine: Engine, window: Window) -> list[tuple[str, bool, float | None]]:
    """(kind, done, minutes to done) of every self-service job started in the window."""
    from goodwill.store.models import Job, JobStatus

    query = select(Job.kind, Job.status, Job.started_at, Job.finished_at).where(
        (Job.started_at >= window.start) & (Job.started_at < window.through_asof)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        (
            kind,
            status == JobStatus.DONE,
            (finished - started).total_seconds() / 60 if finished is not None else None,
        )
        for kind, status, started, finished in rows
    ]
