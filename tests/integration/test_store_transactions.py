"""The store's transaction discipline: reads never wait for a writer; writers queue.

On SQLite a writing session takes the write lock at its first statement (BEGIN IMMEDIATE),
so two writers cannot both read a budget and both spend it; a reading session begins
DEFERRED and, under WAL, reads its snapshot while a writer holds the lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

import goodwill.store.engine as store_engine
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.agents import add_agent
from goodwill.store.models import Agent

NOW = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)


def _agents(engine: Engine) -> int:
    with session_factory(engine, reads_only=True)() as session:
        return int(session.scalar(select(func.count()).select_from(Agent)) or 0)


@pytest.fixture
def quick_engine(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated store whose SQLite busy timeout is 0.2 s: waiting for a lock fails fast."""
    monkeypatch.setattr(store_engine, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    engine = make_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_a_read_does_not_wait_while_a_write_is_open(quick_engine: Engine) -> None:
    with session_factory(quick_engine).begin() as writer:
        add_agent(writer, name="Priya", email="p@care.example", team="care", phone=None, now=NOW)
        # the writer holds the write lock from its first statement to its commit
        assert _agents(quick_engine) == 0  # the committed state, at once
    assert _agents(quick_engine) == 1


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_second_sqlite_writer_waits_for_the_first(quick_engine: Engine) -> None:
    # (PostgreSQL locks rows, not the database: its writers queue row by row.)
    with session_factory(quick_engine).begin() as first:
        first.scalar(select(func.count()).select_from(Agent))  # its first read takes the lock
        with (
            pytest.raises(OperationalError, match="database is locked"),
            session_factory(quick_engine).begin() as second,
        ):
            second.scalar(select(func.count()).select_from(Agent))
