"""INSERT … ON CONFLICT DO NOTHING on both store backends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from goodwill.errors import StoreError
from goodwill.store.models import Base


def insert_once(
    session: Session, model: type[Base], values: dict[str, Any], conflict_on: Sequence[str]
) -> tuple[Any, ...] | None:
    """Insert a row unless one with the same ``conflict_on`` columns exists.

    Returns the new row's primary key (a tuple), or None when the row was already there.
    Unlike a select-then-insert, this holds under concurrent writers: the unique index
    decides.
    """
    table = cast(Table, model.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        insert = sqlite.insert(table)
    else:
        raise StoreError(f"the store supports SQLite and PostgreSQL, not {dialect}")
    statement = (
        insert.values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict_on))
        .returning(*table.primary_key.columns)  # rowcount is unreliable after an INSERT
    )
    row = session.execute(statement).first()
    return None if row is None else tuple(row)
