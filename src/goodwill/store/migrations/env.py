"""Alembic environment for the goodwill store.

goodwill runs migrations itself (:func:`goodwill.store.migrate.upgrade`) and hands over an
open connection in ``config.attributes["connection"]``; there is no alembic.ini. For
``alembic revision --autogenerate`` during development, set ``sqlalchemy.url`` with
``-x url=...`` (see :mod:`goodwill.store.migrate`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from goodwill.store.engine import make_engine
from goodwill.store.models import Base


def run_with(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("pass the store URL: alembic -x url=sqlite:///goodwill.sqlite ...")
    with make_engine(url).connect() as fresh:
        run_with(fresh)
        fresh.commit()


if context.is_offline_mode():
    raise SystemExit("goodwill's migrations run online only; pass a connection or -x url=...")
run_online()
