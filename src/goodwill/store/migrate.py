"""Schema migrations, run from Python: Alembic scripts ship inside the package.

>>> upgrade("sqlite:///goodwill-data/goodwill.sqlite")  # doctest: +SKIP
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from goodwill.errors import StoreError
from goodwill.store.engine import make_engine

SCRIPT_LOCATION = "goodwill.store:migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged scripts; no alembic.ini is read."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest revision this version of goodwill knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the packaged migrations have no head"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(target: Engine | str | URL, revision: str = "head") -> str | None:
    """Bring the store's schema up to ``revision``; a store already there is left alone.

    Returns the revision the store is at afterwards.
    """
    if not isinstance(target, Engine):
        engine = make_engine(target)
        try:
            return upgrade(engine, revision)
        finally:
            engine.dispose()
    config = alembic_config()
    with target.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(target)


def require_current(engine: Engine) -> None:
    """Raise a StoreError that says what to run when the schema is not at the head."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        where = engine.url.render_as_string(hide_password=True)
        raise StoreError(
            f"the store at {where} is at schema revision {current or '(empty)'}, this goodwill "
            f"needs {head}; run `goodwill db upgrade` first"
        )
