"""goodwill's operational store: runs, moments, actions, the outbox, experiments, budgets.

SQLite (one file in the data folder) by default, PostgreSQL in production; the schema is
kept by Alembic migrations that ship inside the package::

    engine = make_engine(store_url_for(settings))
    upgrade(engine)
    with session_factory(engine).begin() as session:
        moment = add_moment_once(session, run_id=run.id, dedupe_key=..., ...)
"""

from __future__ import annotations

from goodwill.errors import BudgetNotSetError, StoreError
from goodwill.store.budgets import ensure_budget, set_budget, spend, spent
from goodwill.store.contacts import contact_counts_since, contacts_since, record_contact
from goodwill.store.engine import make_engine, session_factory, store_url_for
from goodwill.store.experiments import arms_of, ensure_experiment, record_assignment
from goodwill.store.messages import enqueue_message, message_id_for, outbox_counts
from goodwill.store.migrate import current_revision, head_revision, require_current, upgrade
from goodwill.store.moments import add_action, add_moment_once, moment_by_key
from goodwill.store.runs import finish_run, latest_runs, start_run

__all__ = [
    "BudgetNotSetError",
    "StoreError",
    "add_action",
    "add_moment_once",
    "arms_of",
    "contact_counts_since",
    "contacts_since",
    "current_revision",
    "enqueue_message",
    "ensure_budget",
    "ensure_experiment",
    "finish_run",
    "head_revision",
    "latest_runs",
    "make_engine",
    "message_id_for",
    "moment_by_key",
    "outbox_counts",
    "record_assignment",
    "record_contact",
    "require_current",
    "session_factory",
    "set_budget",
    "spend",
    "spent",
    "start_run",
    "store_url_for",
    "upgrade",
]
