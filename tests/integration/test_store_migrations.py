"""The packaged Alembic migrations build the schema the models describe."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from goodwill.store import (
    StoreError,
    current_revision,
    head_revision,
    make_engine,
    require_current,
    session_factory,
    start_run,
    upgrade,
)
from goodwill.store.models import Base, Run

TABLES = {
    "runs",
    "moments",
    "actions",
    "messages",
    "experiments",
    "assignments",
    "budgets",
    "budget_spend",
    "contacts",
    "agents",
    "case_owners",
    "credit_exports",
    "credit_export_items",
    "staff_users",
    "login_tokens",
    "jobs",
    "plan_change_requests",
    "sim_blocks",
    "promises",
    "gestures",
    "login_attempts",
    "web_sessions",
}


def test_upgrade_creates_every_table(store_url: str) -> None:
    engine = make_engine(store_url)
    assert current_revision(engine) is None
    assert upgrade(store_url) == head_revision()
    names = set(inspect(engine).get_table_names())
    assert names == TABLES | {"alembic_version"}
    assert set(Base.metadata.tables) == TABLES
    engine.dispose()


def test_upgrade_twice_changes_nothing(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        start_run(session, date(2026, 10, 1))
    assert upgrade(engine) == head_revision()
    with session_factory(engine)() as session:
        assert session.query(Run).count() == 1
    engine.dispose()


def test_models_and_migrations_agree(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_a_store_not_migrated_says_what_to_run(store_url: str) -> None:
    engine = make_engine(store_url)
    with pytest.raises(StoreError, match="run `goodwill db upgrade`"):
        require_current(engine)
    upgrade(engine)
    require_current(engine)
    engine.dispose()
