"""Recording moments once, however often a run finds them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from goodwill.store.models import Action, Moment
from goodwill.store.rows import insert_rows
from goodwill.store.upsert import insert_many_once, insert_once


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


def add_moments_once(session: Session, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Record many moments at once, each unless its ``dedupe_key`` is stored already.

    ``rows`` hold every column but ``id``; ``evidence`` may be a moment's read-only
    mapping, as engines from :func:`goodwill.store.make_engine` write it (``store_json``).
    Returns the new moments' ids by dedupe key; a
    key absent from the answer was recorded before (or twice in ``rows``: once counts).
    """
    inserted = insert_many_once(session, Moment, rows, ["dedupe_key"], ["dedupe_key", "id"])
    return {key: moment_id for key, moment_id in inserted}


def set_moment_status(session: Session, moment_ids: Sequence[int], status: str) -> None:
    """Change the status of the moments ``moment_ids`` (e.g. acted → deferred)."""
    for start in range(0, len(moment_ids), 1000):
        chunk = moment_ids[start : start + 1000]
        session.execute(update(Moment).where(Moment.id.in_(chunk)).values(status=status))


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


def add_actions(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Record many actions at once; their ids, in the order of ``rows``.

    Each row holds ``customer_id``, ``kind``, ``moment_id``, ``amount_minor``, ``currency``
    and ``created_at``, as :func:`add_action` takes them.
    """
    if not rows:
        return []
    table: Table = Action.__table__  # type: ignore[assignment]
    return [action_id for (action_id,) in insert_rows(session, table, rows, returning=["id"])]
