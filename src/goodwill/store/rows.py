"""Many rows into one table in few statements, the values prepared by column, not by row.

SQLAlchemy's insertmanyvalues prepares every parameter of every row on its own, and on
PostgreSQL hands psycopg one long multi-row statement per page whose placeholders psycopg
converts afresh each time (it caches short statements only). Here each column's values
go through that column's bind processor once per column, and:

- on PostgreSQL the rows travel as one array per column in a short, cached statement,
  ``INSERT … SELECT … FROM unnest(%b::T[], …) WITH ORDINALITY … ORDER BY ordinality``;
  binary (``%b``), as psycopg's text arrays quote every element with a regular
  expression (slow over HTML bodies full of quotes);
- on SQLite as multi-row ``VALUES`` statements of plain positional parameters.

The stored rows are those SQLAlchemy's path stores (a test compares them on both stores).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, DateTime, Table
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.orm import Session

from goodwill.errors import StoreError

#: SQLite's limit on a statement's parameters (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
SQLITE_MAX_PARAMETERS = 32766
#: Rows per PostgreSQL statement: a run's messages carry their bodies, and the server
#: refuses a value or a message over 1 GB.
POSTGRESQL_PAGE_ROWS = 5_000


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict_on: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (each with the same keys); ``conflict_on``: skip a row whose columns
    match a stored one. Returns the ``returning`` columns of the rows inserted, in the
    order of ``rows`` where the first ``returning`` column is the autoincremented key
    (ids are handed out in the rows' order: one statement on PostgreSQL, ascending
    ``rowid`` on SQLite), in no particular order otherwise.
    """
    if not rows:
        return []
    names = tuple(rows[0])
    dialect = session.get_bind().dialect
    columns = [table.c[name] for name in names]
    # The names bound once, not read off each column per row (half the time of this step).
    values = [
        _prepared(dialect, c, [row[name] for row in rows])
        for name, c in zip(names, columns, strict=True)
    ]
    if session.autoflush:  # as session.execute would: pending rows go first
        session.flush()
    connection = session.connection()
    key = (table, names, tuple(conflict_on), tuple(returning))
    if dialect.name == "postgresql":
        _one_type_each(names, values)
        sql = _postgresql_statement(dialect, *key)
        result = []
        for start in range(0, len(rows), POSTGRESQL_PAGE_ROWS):
            page_values = tuple(v[start : start + POSTGRESQL_PAGE_ROWS] for v in values)
            result.extend(_answer(connection.exec_driver_sql(sql, page_values), returning))
    elif dialect.name == "sqlite":
        result = []
        page = max(1, SQLITE_MAX_PARAMETERS // len(names))
        flat = list(zip(*values, strict=True))
        for start in range(0, len(flat), page):
            chunk = flat[start : start + page]
            sql = _sqlite_statement(dialect, *key, len(chunk))
            parameters = tuple(itertools.chain.from_iterable(chunk))
            result.extend(_answer(connection.exec_driver_sql(sql, parameters), returning))
    else:
        raise StoreError(f"the store supports SQLite and PostgreSQL, not {dialect.name}")
    rows_back = [tuple(row) for row in result]
    if _autoincrements(table, returning):
        rows_back.sort(key=lambda row: row[0])
    return rows_back


class MixedColumnTypes(StoreError):
    """A column's values mix Python types, which PostgreSQL's typed arrays cannot take;
    raised before any statement runs."""


def _one_type_each(names: Sequence[str], values: Sequence[list[Any]]) -> None:
    """A column travels to PostgreSQL as one typed array: its values must share a type."""
    for name, column in zip(names, values, strict=True):
        types = {type(v) for v in column if v is not None}
        if len(types) > 1:
            found = ", ".join(sorted(t.__name__ for t in types))
            raise MixedColumnTypes(
                f"insert_rows: the values of {name} mix Python types ({found}); "
                "give each column one type (insert_many_once takes such rows row by row)"
            )


def _answer(result: CursorResult[Any], returning: Sequence[str]) -> list[Any]:
    # One fetchall, not a fetch a row (psycopg checks the result on each); a statement
    # without RETURNING has no rows to fetch.
    return list(result.all()) if returning else []


def _autoincrements(table: Table, returning: Sequence[str]) -> bool:
    return bool(returning) and table.c[returning[0]] is table.autoincrement_column


def _prepared(dialect: Dialect, column: Column[Any], values: list[Any]) -> list[Any]:
    process = _processor(dialect, column)
    if process is None:
        return values
    if not _is_timestamp(column):
        return [process(value) for value in values]
    # A run stamps most rows with the same moment: prepare each distinct one once (keyed
    # with its zone and fold, so equal instants in different zones, and the two readings
    # of a clock hour a zone repeats, stay apart).
    prepared: dict[tuple[Any, Any, int], Any] = {}
    out = []
    for value in values:
        key = (value, getattr(value, "tzinfo", None), getattr(value, "fold", 0))
        if key not in prepared:
            prepared[key] = process(value)
        out.append(prepared[key])
    return out


def _is_timestamp(column: Column[Any]) -> bool:
    return isinstance(getattr(column.type, "impl", column.type), DateTime)  # or decorates one


@functools.lru_cache(maxsize=256)
def _processor(dialect: Dialect, column: Column[Any]) -> Callable[[Any], Any] | None:
    # The DBAPI value SQLAlchemy itself would send: type decorators, variants and the
    # dialect's own conversions (SQLite's datetime strings, psycopg's Json wrapper).
    return column.type.dialect_impl(dialect).bind_processor(dialect)


@functools.lru_cache(maxsize=64)
def _postgresql_statement(
    dialect: Dialect,
    table: Table,
    names: tuple[str, ...],
    conflict_on: tuple[str, ...],
    returning: tuple[str, ...],
) -> str:
    arrays = ", ".join(f"%b::{_array_element(dialect, table.c[n])}[]" for n in names)
    aliases = [f"c{i}" for i in range(len(names))]
    # ORDER BY ordinality: the sequence hands out ids in the rows' order.
    sql = (
        f"{_insert_into(dialect, table, names)} SELECT {', '.join(aliases)} "
        f"FROM unnest({arrays}) WITH ORDINALITY AS u({', '.join(aliases)}, n) ORDER BY n"
    )
    return sql + _tail(dialect, conflict_on, returning)


def _array_element(dialect: Dialect, column: Column[Any]) -> str:
    # Without its length: a cast to VARCHAR(64) would cut a longer value short, where the
    # INSERT's own assignment refuses it (as the old path's did).
    return re.sub(r"\(.*\)", "", column.type.compile(dialect=dialect))


@functools.lru_cache(maxsize=64)
def _sqlite_statement(
    dialect: Dialect,
    table: Table,
    names: tuple[str, ...],
    conflict_on: tuple[str, ...],
    returning: tuple[str, ...],
    count: int,
) -> str:
    row = f"({', '.join('?' * len(names))})"
    sql = f"{_insert_into(dialect, table, names)} VALUES {', '.join([row] * count)}"
    return sql + _tail(dialect, conflict_on, returning)


def _insert_into(dialect: Dialect, table: Table, names: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    into = dialect.identifier_preparer.format_table(table)
    return f"INSERT INTO {into} ({', '.join(quote(n) for n in names)})"


def _tail(dialect: Dialect, conflict_on: tuple[str, ...], returning: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    tail = ""
    if conflict_on:
        tail += f" ON CONFLICT ({', '.join(quote(n) for n in conflict_on)}) DO NOTHING"
    if returning:
        tail += f" RETURNING {', '.join(quote(n) for n in returning)}"
    return tail
