"""``goodwill db``: the store, goodwill's own operational database."""

from __future__ import annotations

import typer

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.store.engine import make_engine, reporting_store_errors, store_url_for
from goodwill.store.migrate import current_revision, upgrade

db_app = typer.Typer(
    name="db", help="The store: runs, moments, actions, the outbox.", no_args_is_help=True
)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@reports_errors
def upgrade_command(data: DataOption = None) -> None:
    """Create the store's tables, or migrate them to this version (safe to run again)."""
    engine = make_engine(store_url_for(make_settings(data)))
    try:
        with reporting_store_errors(engine):
            before = current_revision(engine)
            after = upgrade(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"The store at {where} is up to date (revision {after}).")
    else:
        console.print(f"Migrated the store at {where}: {before or '(empty)'} → {after}.")
