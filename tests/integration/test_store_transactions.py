"""The store's transaction discipline: reads never wait for a writer; writers queue.

On SQLite a writing session takes the write lock at its first statement (BEGIN IMMEDIATE),
so two writers cannot both read a budget and both spend it; a reading session begins
DEFERRED and, under WAL, reads its snapshot while a writer holds the lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

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


def test_a_new_sqlite_store_takes_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """A new store's pages hold several of a run's messages (their text and HTML bodies);
    a store made with SQLite's default pages opens, migrates and writes as before."""
    new = make_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    upgrade(new)
    with new.connect() as connection:
        page_size = connection.exec_driver_sql("PRAGMA page_size").scalar()
        assert page_size == store_engine.SQLITE_PAGE_SIZE
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    new.dispose()
    old_path = tmp_path / "old.sqlite"
    with sqlite3.connect(old_path) as made_before:
        made_before.execute("PRAGMA page_size = 4096")
        made_before.execute("CREATE TABLE kept (x INTEGER)")
    old = make_engine(f"sqlite:///{old_path}")
    upgrade(old)
    with session_factory(old)() as session, session.begin():
        add_agent(session, name="Ada", email="ada@example.com", team="care", phone=None, now=NOW)
    assert _agents(old) == 1
    with old.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA page_size").scalar() == 4096
    old.dispose()
