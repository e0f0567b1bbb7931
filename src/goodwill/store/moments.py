"""Recording moments once, however often a run finds them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.store.models import Action, Moment
from goodwill.store.upsert import insert_once


def add_moment_once(
    session: Session, *, now: datetime | None = None, **fields: Any
) -> Moment | None:
    """Record a moment unless one with the same ``dedupe_key`` is already stored.

    Returns the new :class:`Moment`, or None when the moment was recorded before (by this
    run, an earlier run, or a run racing this one): re-running a day creates nothing new.

    >>> add_moment_once(session, run_id=run.id, customer_id="C1", kind="better_plan",
    ...     detected_for="2026-10", value_to_customer_minor=250, cost_to_business_minor=250,
    ...     currency="GBP", status="acted", dedupe_key="better_plan:S1:2026-10")  # doctest: +SKIP
    """
    values = {"evidence": {}, "reason": None, "subscription_id": None, **fields}
    values["created_at"] = now or datetime.now(UTC)
    key = insert_once(session, Moment, values, ["dedupe_key"])
    return None if key is None else session.get_one(Moment, key)


def moment_by_key(session: Session, dedupe_key: str) -> Moment | None:
    """The moment recorded under ``dedupe_key``, if any."""
    return session.scalar(select(Moment).where(Moment.dedupe_key == dedupe_key))


def add_action(
    session: Session,
    *,
    customer_id: str,
    kind: str,
    moment_id: int | None = None,
    amount_minor: int = 0,
    currency: str | None = None,
    now: datetime | None = None,
) -> Action:
    """Record an action (a message, a credit …); flushed, so ``action.id`` is set."""
    action = Action(
        moment_id=moment_id,
        customer_id=customer_id,
        kind=kind,
        amount_minor=amount_minor,
        currency=currency,
        created_at=now or datetime.now(UTC),
    )
    session.add(action)
    session.flush()
    return action
