"""Repositories of the store, on SQLite and PostgreSQL: what a care run relies on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from goodwill.store import (
    add_action,
    add_moment_once,
    arms_of,
    contact_counts_since,
    contacts_since,
    enqueue_message,
    ensure_experiment,
    finish_run,
    latest_runs,
    message_id_for,
    moment_by_key,
    outbox_counts,
    record_assignment,
    record_contact,
    start_run,
)
from goodwill.store.models import Message, Moment, RunStatus

NOW = datetime(2026, 10, 2, 3, 0, tzinfo=UTC)


def moment_fields(run_id: int, key: str = "better_plan:S1:2026-09") -> dict[str, Any]:
    return {
        "run_id": run_id,
        "customer_id": "C1",
        "subscription_id": "S1",
        "kind": "better_plan",
        "detected_for": "2026-09",
        "value_to_customer_minor": 250,
        "cost_to_business_minor": 250,
        "currency": "GBP",
        "evidence": {"months": 6, "saving_minor": 250},
        "status": "acted",
        "dedupe_key": key,
    }


def test_a_moment_found_again_is_not_recorded_again(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first_run = start_run(session, date(2026, 10, 2), now=NOW)
        moment = add_moment_once(session, **moment_fields(first_run.id), now=NOW)
        assert moment is not None and moment.id is not None
        assert moment.evidence == {"months": 6, "saving_minor": 250}
    with sessions.begin() as session:  # the same day, run again
        second_run = start_run(session, date(2026, 10, 2), now=NOW)
        assert add_moment_once(session, **moment_fields(second_run.id), now=NOW) is None
        assert session.scalar(select(func.count()).select_from(Moment)) == 1
        found = moment_by_key(session, "better_plan:S1:2026-09")
        assert found is not None and found.run_id == first_run.id


def test_runs_record_how_they_ended(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        run = start_run(session, date(2026, 10, 2), dry_run=True, now=NOW)
        finish_run(session, run, {"moments": 3, "acted": 1}, now=NOW + timedelta(seconds=5))
    with sessions() as session:
        (stored,) = latest_runs(session)
        assert stored.status == RunStatus.SUCCEEDED and stored.dry_run
        assert stored.counts == {"moments": 3, "acted": 1}
        assert stored.finished_at == NOW + timedelta(seconds=5)
        assert stored.started_at.tzinfo is not None


def test_timestamps_come_back_in_utc(sessions: sessionmaker[Session]) -> None:
    paris = timezone(timedelta(hours=2))
    with sessions.begin() as session:
        run = start_run(session, date(2026, 10, 2), now=datetime(2026, 10, 2, 5, 0, tzinfo=paris))
    with sessions() as session:
        (stored,) = latest_runs(session)
        assert stored.id == run.id
        assert stored.started_at == NOW and stored.started_at.utcoffset() == timedelta(0)


def test_a_naive_timestamp_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(StatementError, match="has no timezone"):
        start_run(session, date(2026, 10, 2), now=datetime(2026, 10, 2, 3, 0))


def test_a_message_is_queued_once_per_message_id(sessions: sessionmaker[Session]) -> None:
    message_id = message_id_for("better_plan:S1:2026-09")
    with sessions.begin() as session:
        run = start_run(session, date(2026, 10, 2), now=NOW)
        moment = add_moment_once(session, **moment_fields(run.id), now=NOW)
        assert moment is not None
        action = add_action(session, customer_id="C1", kind="message", moment_id=moment.id, now=NOW)
        queued = enqueue_message(
            session,
            action_id=action.id,
            customer_id="C1",
            to_address="ann@example.com",
            subject="You could save £2.50 a month",
            body_text="Hello Ann",
            body_html="<p>Hello Ann</p>",
            message_id=message_id,
            now=NOW,
        )
        assert queued is not None and queued.status == "queued" and queued.attempts == 0
        again = enqueue_message(
            session,
            action_id=action.id,
            customer_id="C1",
            to_address="ann@example.com",
            subject="again",
            body_text="again",
            message_id=message_id,
            now=NOW,
        )
        assert again is None
        assert session.scalar(select(func.count()).select_from(Message)) == 1
        assert outbox_counts(session) == {"queued": 1}


def test_an_experiment_keeps_its_salt_and_customers_keep_their_arm(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        experiment = ensure_experiment(session, "better_plan", holdout_share_percent=10, now=NOW)
        again = ensure_experiment(session, "better_plan", holdout_share_percent=50, now=NOW)
        assert (again.id, again.salt, again.holdout_share_percent) == (
            experiment.id,
            experiment.salt,
            10,
        )
        assert record_assignment(session, experiment.id, "C1", "holdout", now=NOW) == "holdout"
        assert record_assignment(session, experiment.id, "C1", "treatment", now=NOW) == "holdout"
        assert record_assignment(session, experiment.id, "C2", "treatment", now=NOW) == "treatment"
        assert arms_of(session, experiment.id) == {"C1": "holdout", "C2": "treatment"}


def test_contacts_are_recorded_once_and_counted(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for day, key in ((1, "a"), (2, "b"), (2, "b"), (20, None), (25, None)):
            record_contact(
                session,
                customer_id="C1",
                at=NOW.replace(day=day),
                message_type="advice",
                moment_kind="better_plan",
                dedupe_key=key,
                saving_minor=250,
                currency="GBP",
            )
        record_contact(session, customer_id="C2", at=NOW, message_type="apology")
    with sessions() as session:
        assert contact_counts_since(session, NOW.replace(day=2)) == {"C1": 3, "C2": 1}
        recent = contacts_since(session, NOW.replace(day=15), customer_ids=["C1"])
        assert [c.at.day for c in recent] == [20, 25]
