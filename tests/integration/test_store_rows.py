"""insert_rows stores what SQLAlchemy's insertmanyvalues stores, on SQLite and PostgreSQL.

The same batches (moments, actions, messages, contacts: awkward text, JSON, NULLs, keys
twice in a batch and keys stored before) go into two fresh stores, once by the old path
(``insert_many_once_by_row``; Core ``insert`` with ``sort_by_parameter_order`` for
actions) and once by :func:`insert_rows`; every stored row, ids included, must be equal,
and so must what each path returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from goodwill.errors import StoreError
from goodwill.store import ensure_experiment, make_engine, session_factory, start_run, upgrade
from goodwill.store import rows as store_rows
from goodwill.store.models import Action, Assignment, Base, Contact, Message, MessageStatus, Moment
from goodwill.store.rows import insert_rows
from goodwill.store.upsert import insert_many_once, insert_many_once_by_row
from tests.integration.conftest import postgres_schema_url

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
AWKWARD = 'Quotes " and \' and \\ back\\slashes, {braces}, commas, NULL, "" £ ✓ \n \t lines'

#: (session, model, rows, conflict_on, returning) -> the returning columns of new rows
Many = Callable[
    [Session, type[Base], Sequence[Mapping[str, Any]], Sequence[str], Sequence[str]],
    list[tuple[Any, ...]],
]


def old_many(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    conflict_on: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    if conflict_on:
        return insert_many_once_by_row(session, model, rows, conflict_on, returning)
    table = cast(Table, model.__table__)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [tuple(row) for row in session.execute(statement, list(rows))]


def new_many(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    conflict_on: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    table = cast(Table, model.__table__)
    return insert_rows(session, table, rows, conflict_on=conflict_on, returning=returning)


def scenario(session: Session, many: Many) -> dict[str, Any]:
    """A run's batches, each table's before and after its rows stored before."""
    run = start_run(session, NOW.date(), now=NOW)
    answers: dict[str, Any] = {}
    moments = [moment_row(run.id, i) for i in range(60)]
    many(session, Moment, moments[:5], ["dedupe_key"], ["dedupe_key", "id"])
    new = many(session, Moment, moments, ["dedupe_key"], ["dedupe_key", "id"])
    answers["moments"] = sorted(new)
    moment_ids = sorted(moment_id for _, moment_id in new)
    actions = [action_row(moment_id, i) for i, moment_id in enumerate(moment_ids)]
    action_ids = [action_id for (action_id,) in many(session, Action, actions, [], ["id"])]
    answers["actions"] = action_ids
    for action_id, row in zip(action_ids, actions, strict=True):  # ids in the rows' order
        assert session.get_one(Action, action_id).moment_id == row["moment_id"]
    messages = [message_row(action_ids[i % len(action_ids)], i) for i in range(70)]
    many(session, Message, messages[60:], ["message_id"], ["message_id"])
    answers["messages"] = sorted(many(session, Message, messages, ["message_id"], ["message_id"]))
    contacts = [contact_row(i) for i in range(50)]
    answers["contacts"] = sorted(many(session, Contact, contacts, ["dedupe_key"], ["id"]))
    experiment = ensure_experiment(session, "better_plan", salt="salt", now=NOW)
    arms = [assignment_row(experiment.id, i) for i in range(30)]
    many(session, Assignment, arms[:4], ["experiment_id", "customer_id"], ["customer_id"])
    key = ["experiment_id", "customer_id"]
    answers["assignments"] = sorted(many(session, Assignment, arms, key, key))
    models = (Moment, Action, Message, Contact, Assignment)
    answers["stored"] = {model.__tablename__: dump(session, model) for model in models}
    return answers


def dump(session: Session, model: type[Base]) -> list[tuple[Any, ...]]:
    table = cast(Table, model.__table__)
    return [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key))]


def moment_row(run_id: int, i: int) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "customer_id": f"C{i % 13}",
        "subscription_id": None if i % 4 == 0 else f"S{i}",
        "kind": "better_plan",
        "detected_for": "2026-10",
        "value_to_customer_minor": 250 * i,
        "cost_to_business_minor": -(2**40) if i == 7 else i,
        "currency": "GBP",
        "evidence": {} if i % 6 == 0 else {"why": AWKWARD, "n": [i, 1.5, None], "ok": True},
        "status": "acted",
        "reason": None if i % 3 else AWKWARD,
        "dedupe_key": f"better_plan:S{i % 55}:2026-10",  # five keys twice in the batch
        "created_at": NOW,
    }


def action_row(moment_id: int, i: int) -> dict[str, Any]:
    return {
        "moment_id": None if i == 3 else moment_id,
        "customer_id": f"C{i}",
        "kind": "credit" if i % 2 else "message",
        "amount_minor": 100 * i,
        "currency": None if i % 5 == 0 else "GBP",
        "created_at": NOW + timedelta(seconds=i),
    }


def message_row(action_id: int, i: int) -> dict[str, Any]:
    return {
        "action_id": action_id,
        "customer_id": f"C{i % 7}",
        "channel": "email" if i % 3 else "billing",
        "to_address": f"c{i}@example.com",
        "subject": f"{AWKWARD} {i}",
        "body_text": AWKWARD * (i % 4),
        "body_html": None if i % 5 == 0 else f'<p class="x">{AWKWARD}</p>',
        "message_id": f"<gw.{i % 66}@example.com>",  # four twice in the batch
        "status": MessageStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": NOW + timedelta(microseconds=i),
        "created_at": NOW,
    }


def assignment_row(experiment_id: int, i: int) -> dict[str, Any]:
    return {
        "experiment_id": experiment_id,
        "customer_id": f"C{i % 25}",  # five twice in the batch
        "arm": "holdout" if i % 10 == 0 else "treatment",
        "assigned_at": NOW,
    }


def contact_row(i: int) -> dict[str, Any]:
    return {
        "customer_id": f"C{i}",
        "at": NOW - timedelta(days=i),
        "message_type": "better_plan",
        "moment_kind": None if i % 2 else "better_plan",
        "subscription_id": None,
        "dedupe_key": None if i % 3 == 0 else f"k{i % 40}",  # NULL keys never conflict
        "saving_minor": None if i % 4 else i,
        "currency": None if i % 4 else "GBP",
    }


@pytest.fixture
def two_store_urls(store_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty stores of the same kind."""
    if store_url.startswith("sqlite"):
        yield store_url, f"sqlite:///{tmp_path / 'second.sqlite'}"
        return
    for second in postgres_schema_url():
        yield store_url, second


def run_scenario(url: str, many: Many) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    try:
        with session_factory(engine).begin() as session:
            return scenario(session, many)
    finally:
        engine.dispose()


@pytest.mark.parametrize("page_parameters", [store_rows.SQLITE_MAX_PARAMETERS, 40])
def test_insert_rows_stores_what_insertmanyvalues_stores(
    two_store_urls: tuple[str, str], page_parameters: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 parameters: SQLite pages of three moments or messages, and of five contacts;
    PostgreSQL pages of seven rows."""
    monkeypatch.setattr(store_rows, "SQLITE_MAX_PARAMETERS", page_parameters)
    if page_parameters == 40:
        monkeypatch.setattr(store_rows, "POSTGRESQL_PAGE_ROWS", 7)
    old_url, new_url = two_store_urls
    old, new = run_scenario(old_url, old_many), run_scenario(new_url, new_many)
    assert new == old
    assert len(new["stored"]["messages"]) == 66


def too_long(url: str, many: Many) -> object:
    """What becomes of a customer id longer than its column (VARCHAR(64))."""
    engine = make_engine(url)
    upgrade(engine)
    try:
        with session_factory(engine).begin() as session:
            many(session, Contact, [{**contact_row(1), "customer_id": "C" * 65}], [], ["id"])
            return dump(session, Contact)
    except DBAPIError as exc:
        return type(exc.orig).__name__  # PostgreSQL refuses it; SQLite keeps it whole
    finally:
        engine.dispose()


def test_a_value_too_long_for_its_column_fares_as_before(two_store_urls: tuple[str, str]) -> None:
    old_url, new_url = two_store_urls
    assert too_long(new_url, new_many) == too_long(old_url, old_many)


def test_insert_rows_without_returning_stores_and_answers_nothing(
    two_store_urls: tuple[str, str],
) -> None:
    engine = make_engine(two_store_urls[0])
    upgrade(engine)
    try:
        with session_factory(engine).begin() as session:
            table = cast(Table, Contact.__table__)
            contacts = [contact_row(i) for i in range(5)]
            assert insert_rows(session, table, contacts, conflict_on=["dedupe_key"]) == []
            assert len(dump(session, Contact)) == 5
    finally:
        engine.dispose()


def odd_contacts(url: str, many: Many) -> list[tuple[Any, ...]]:
    """Contacts whose saving mixes int and float, and whose times are the two readings
    of 01:30 on the night London's clocks go back."""
    london = ZoneInfo("Europe/London")
    first, second = (datetime(2026, 10, 25, 1, 30, tzinfo=london, fold=f) for f in (0, 1))
    rows = [
        {**contact_row(4), "saving_minor": 250, "at": first},
        {**contact_row(8), "saving_minor": 7.0, "at": second},
    ]
    engine = make_engine(url)
    upgrade(engine)
    try:
        with session_factory(engine).begin() as session:
            many(session, Contact, rows, ["dedupe_key"], ["id"])
            return dump(session, Contact)
    finally:
        engine.dispose()


def test_mixed_types_and_a_repeated_clock_hour_store_as_before(
    two_store_urls: tuple[str, str],
) -> None:
    old_url, new_url = two_store_urls
    new = odd_contacts(new_url, insert_many_once)
    assert new == odd_contacts(old_url, old_many)
    at = list(cast(Table, Contact.__table__).c.keys()).index("at")
    assert len({row[at] for row in new}) == 2  # an hour apart, not one instant


def test_insert_rows_refuses_a_column_of_mixed_types_on_postgresql(
    two_store_urls: tuple[str, str],
) -> None:
    if two_store_urls[0].startswith("sqlite"):
        pytest.skip("SQLite takes each value on its own")
    engine = make_engine(two_store_urls[0])
    upgrade(engine)
    try:
        with session_factory(engine).begin() as session:
            table = cast(Table, Contact.__table__)
            rows = [
                {**contact_row(4), "saving_minor": 250},
                {**contact_row(8), "saving_minor": 7.5},
            ]
            with pytest.raises(StoreError, match="saving_minor mix Python types"):
                insert_rows(session, table, rows)
    finally:
        engine.dispose()


def test_a_moments_frozen_evidence_is_stored_as_its_dict_would_be(store_url: str) -> None:
    """The care run hands the store a moment's read-only evidence (mapping proxies and
    tuples) without copying it back into dicts and lists: the JSON stored must be the
    text the plain dict gives, byte for byte, on either store."""
    from goodwill.domain.moments import freeze
    from goodwill.store.moments import add_moments_once

    plain = {"z": 1, "a": [1.5, {"b": None, "é": "£4"}], "best": [{"plan_id": "P1"}], "e": {}}
    engine = make_engine(store_url)
    upgrade(engine)
    with session_factory(engine)() as session, session.begin():
        run = start_run(session, NOW.date(), now=NOW)
        base = {"run_id": run.id, "customer_id": "C1", "subscription_id": "S1", "kind": "k"}
        rows = [
            {**base, "detected_for": "2026-11", "value_to_customer_minor": 1,
             "cost_to_business_minor": 0, "currency": "GBP", "evidence": evidence,
             "status": "acted", "reason": None, "dedupe_key": key, "created_at": NOW}
            for key, evidence in (("plain", plain), ("frozen", freeze(plain)))
        ]  # fmt: skip
        add_moments_once(session, rows)
    with engine.connect() as connection:
        raw = dict(connection.exec_driver_sql("SELECT dedupe_key, evidence FROM moments").all())
        stored = dict(connection.execute(select(Moment.dedupe_key, Moment.evidence)).all())
    engine.dispose()
    assert str(raw["frozen"]) == str(raw["plain"])
    assert stored["frozen"] == stored["plain"] == plain
