"""Holdout experiments and the arm each customer was first assigned to."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.store.models import Assignment, Experiment
from goodwill.store.upsert import insert_many_once, insert_once


def ensure_experiment(
    session: Session,
    kind: str,
    *,
    holdout_share_percent: int = 10,
    salt: str | None = None,
    now: datetime | None = None,
) -> Experiment:
    """The experiment of one kind of gift, created (with a random salt) the first time.

    An existing experiment keeps its salt and share: changing either would move customers
    between arms and spoil the comparison.
    """
    values = {
        "kind": kind,
        "salt": salt or secrets.token_hex(8),
        "holdout_share_percent": holdout_share_percent,
        "created_at": now or datetime.now(UTC),
    }
    insert_once(session, Experiment, values, ["kind"])
    return session.scalars(select(Experiment).where(Experiment.kind == kind)).one()


def record_assignment(
    session: Session, experiment_id: int, customer_id: str, arm: str, *, now: datetime | None = None
) -> str:
    """Record a customer's arm unless they already have one; returns the arm that stands."""
    values = {
        "experiment_id": experiment_id,
        "customer_id": customer_id,
        "arm": arm,
        "assigned_at": now or datetime.now(UTC),
    }
    key = ["experiment_id", "customer_id"]
    if insert_once(session, Assignment, values, key) is not None:
        return arm
    return session.get_one(Assignment, (experiment_id, customer_id)).arm


def record_assignments(
    session: Session, assignments: Iterable[tuple[int, str, str]], *, now: datetime
) -> None:
    """Record many ``(experiment_id, customer_id, arm)`` at once; a customer who already
    has an arm in that experiment keeps it (as :func:`record_assignment`)."""
    rows = {
        (experiment_id, customer_id): {
            "experiment_id": experiment_id,
            "customer_id": customer_id,
            "arm": arm,
            "assigned_at": now,
        }
        for experiment_id, customer_id, arm in reversed(list(assignments))
    }  # reversed: where a customer appears twice, the first arm wins, as one by one
    key = ["experiment_id", "customer_id"]
    insert_many_once(session, Assignment, list(rows.values()), key, key)


def arms_of(session: Session, experiment_id: int) -> dict[str, str]:
    """Every assigned customer of an experiment and their arm."""
    rows = session.execute(
        select(Assignment.customer_id, Assignment.arm).where(
            Assignment.experiment_id == experiment_id
        )
    )
    return {customer_id: arm for customer_id, arm in rows}
