"""INSERT … ON CONFLICT DO NOTHING on both store backends, one row or many at a time."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from goodwill.errors import StoreError
from goodwill.store.models import Base
from goodwill.store.rows import MixedColumnTypes, insert_rows


def insert_once(
    session: Session, model: type[Base], values: dict[str, Any], conflict_on: Sequence[str]
) -> tuple[Any, ...] | None:
    """Insert a row unless one with the same ``conflict_on`` columns exists.

    Returns the new row's primary key (a tuple), or None when the row was already there.
    Unlike a select-then-insert, this holds under concurrent writers: the unique index
    decides.
    """
    table = cast(Table, model.__table__)
    keys = [column.name for column in table.primary_key.columns]
    rows = insert_many_once(session, model, [values], conflict_on, keys)
    return rows[0] if rows else None


def insert_many_once(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    conflict_on: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert each of ``rows`` unless one with the same ``conflict_on`` columns exists.

    Returns the ``returning`` columns of the rows inserted (in no particular order), so a
    caller that returns its key columns knows which were new. Rows that all hold the same
    columns, leaving out none with a default, go by :func:`goodwill.store.rows.insert_rows`
    (few statements, values prepared by column), unless on PostgreSQL a column mixes
    Python types; others by SQLAlchemy's insertmanyvalues.
    """
    if not rows:
        return []
    table = cast(Table, model.__table__)
    if _same_columns_no_defaults(table, rows):
        try:
            return insert_rows(session, table, rows, conflict_on=conflict_on, returning=returning)
        except MixedColumnTypes:  # PostgreSQL's one typed array a column: row by row then
            pass
    return insert_many_once_by_row(session, model, rows, conflict_on, returning)


def insert_many_once_by_row(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    conflict_on: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """As :func:`insert_many_once`, always through SQLAlchemy's insertmanyvalues, which
    fills in column defaults and takes rows with differing keys."""
    if not rows:
        return []
    table = cast(Table, model.__table__)
    dialect = session.get_bind().dialect.name
    statement = _insert_once(dialect, table, tuple(conflict_on), tuple(returning))
    return [tuple(row) for row in session.execute(statement, list(rows))]


def _same_columns_no_defaults(table: Table, rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether every row holds the same columns, and no column left out has a default
    for SQLAlchemy to fill in (a left-out column is then NULL, or the server's default)."""
    names = rows[0].keys()
    if not all(row.keys() == names for row in rows) or not all(n in table.c for n in names):
        return False
    return all(c.name in names or c.default is None for c in table.columns)


@functools.lru_cache(maxsize=64)
def _insert_once(
    dialect: str, table: Table, conflict_on: tuple[str, ...], returning: tuple[str, ...]
) -> Any:
    # Built once per table: the values travel as parameters, so the compiled SQL is reused.
    if dialect == "postgresql":
        insert: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        insert = sqlite.insert(table)
    else:
        raise StoreError(f"the store supports SQLite and PostgreSQL, not {dialect}")
    return insert.on_conflict_do_nothing(index_elements=list(conflict_on)).returning(
        *(table.c[name] for name in returning)  # rowcount is unreliable after an INSERT
    )
