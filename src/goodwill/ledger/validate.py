"""Validate one raw table against the contract inside DuckDB, vectorized.

The checked table keeps every source row with its typed values and a list of problems;
rows with no problem are accepted, the others go to quarantine with their source text.
Checks run in layers: each value, then rules across a row, then key uniqueness, then
foreign keys against what was accepted of the parent tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from goodwill.ledger.checks import (
    problem,
    quote_ident,
    quote_literal,
    raw_name,
    rule_problem,
    typed_value,
)
from goodwill.ledger.contract import TABLES_BY_NAME, Table
from goodwill.ledger.sources import ROW, RawTable

PROBLEMS = "_problems"
QUARANTINE_COLUMNS = ("row", "column", "value", "reason")


@dataclass(frozen=True)
class CheckedTable:
    """What validation found in one table: the DuckDB tables holding accepted and bad rows."""

    table: Table
    rows_read: int
    accepted: int
    quarantined: int
    first_problem: str | None

    @property
    def accepted_relation(self) -> str:
        return quote_ident(f"accepted_{self.table.name}")

    @property
    def quarantine_relation(self) -> str:
        return quote_ident(f"quarantine_{self.table.name}")


def _struct(column: str, reason_sql: str) -> str:
    return (
        f'struct_pack("column" := {quote_literal(column)}, '
        f'"value" := {quote_ident(raw_name(column))}, "reason" := {reason_sql})'
    )


def _only_real(structs: list[str]) -> str:
    if not structs:
        return '[]::STRUCT("column" VARCHAR, "value" VARCHAR, "reason" VARCHAR)[]'
    return f"list_filter([{', '.join(structs)}], p -> p.reason IS NOT NULL)"


def _values_layer(table: Table, source: str) -> str:
    raws = ", ".join(
        f"{quote_ident(c.name)} AS {quote_ident(raw_name(c.name))}" for c in table.columns
    )
    typed = ", ".join(f"{typed_value(c)} AS {quote_ident(c.name)}" for c in table.columns)
    problems = _only_real([_struct(c.name, problem(c)) for c in table.columns])
    return (
        f"SELECT {ROW}, * EXCLUDE ({ROW}), {typed}, {problems} AS {PROBLEMS} "
        f"FROM (SELECT {ROW}, {raws} FROM {source})"
    )


def _rules_layer(table: Table, inner: str) -> str:
    rules = _only_real([_struct(r.columns[-1], rule_problem(r)) for r in table.rules])
    return f"SELECT * REPLACE (list_concat({PROBLEMS}, {rules}) AS {PROBLEMS}) FROM ({inner})"


def _key_layer(table: Table, inner: str) -> str:
    if not table.primary_key:
        return inner
    key = ", ".join(quote_ident(k) for k in table.primary_key)
    shown = " || ', ' || ".join(quote_ident(raw_name(k)) for k in table.primary_key)
    label = ", ".join(table.primary_key)
    present = " AND ".join(f"{quote_ident(k)} IS NOT NULL" for k in table.primary_key)
    reason = (
        f"'{label} \"' || {shown} || '\" is on rows ' || "
        f"array_to_string(list_slice(list_sort(list({ROW}) OVER w), 1, 5), ', ') || "
        "': a key must be unique, so no copy is taken'"
    )
    dup = f"CASE WHEN {present} AND count(*) OVER w > 1 THEN {reason} END"
    return (
        f"SELECT * REPLACE (list_concat({PROBLEMS}, {_only_real([_struct(table.primary_key[0], dup)])}) "
        f"AS {PROBLEMS}) FROM ({inner}) WINDOW w AS (PARTITION BY {key})"
    )


def _foreign_key_layer(table: Table, inner: str) -> str:
    structs = []
    for fk in table.foreign_keys:
        parent = TABLES_BY_NAME[fk.table]
        keys = (
            f"(SELECT {quote_ident(parent.primary_key[0])} FROM _keyed WHERE len({PROBLEMS}) = 0)"
            if parent is table
            else f"(SELECT {quote_ident(parent.primary_key[0])} FROM {quote_ident('accepted_' + parent.name)})"
        )
        col = quote_ident(fk.column)
        reason = quote_literal(
            f" is not in {parent.name} (missing there, or set aside in quarantine)"
        )
        structs.append(
            _struct(
                fk.column,
                f"CASE WHEN len({PROBLEMS}) = 0 AND {col} IS NOT NULL AND {col} NOT IN {keys} "
                f"THEN '{fk.column} \"' || {col} || '\"' || {reason} END",
            )
        )
    if not structs:
        return inner
    return (
        f"WITH _keyed AS ({inner}) SELECT * REPLACE (list_concat({PROBLEMS}, {_only_real(structs)}) "
        f"AS {PROBLEMS}) FROM _keyed"
    )


def check_table(con: duckdb.DuckDBPyConnection, table: Table, raw: RawTable) -> CheckedTable:
    """Validate ``raw`` and leave ``accepted_<table>`` and ``quarantine_<table>`` in ``con``."""
    source = f"_source_{table.name}"
    con.register(source, raw.data)
    sql = _foreign_key_layer(
        table, _key_layer(table, _rules_layer(table, _values_layer(table, source)))
    )
    checked = quote_ident(f"checked_{table.name}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {checked} AS {sql}")
    con.unregister(source)
    typed = ", ".join(quote_ident(c) for c in table.column_names)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote_ident('accepted_' + table.name)} AS "
        f"SELECT {ROW}, {typed} FROM {checked} WHERE len({PROBLEMS}) = 0 ORDER BY {ROW}"
    )
    _write_quarantine(con, table, raw, checked)
    con.execute(f"DROP TABLE {checked}")
    return _summarise(con, table, raw)


def _write_quarantine(
    con: duckdb.DuckDBPyConnection, table: Table, raw: RawTable, checked: str
) -> None:
    originals = ", ".join(
        f"{quote_ident(raw_name(c))} AS {quote_ident(c)}" for c in table.column_names
    )
    relation = quote_ident(f"quarantine_{table.name}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT {ROW} AS row, "
        f'{PROBLEMS}[1].column AS "column", {PROBLEMS}[1].value AS value, '
        f"array_to_string(list_transform({PROBLEMS}, p -> p.reason), '; ') AS reason, {originals} "
        f"FROM {checked} WHERE len({PROBLEMS}) > 0"
    )
    if raw.problems:
        unread = pa.table(
            {
                "row": [p.row for p in raw.problems],
                "column": [p.column for p in raw.problems],
                "value": [p.value for p in raw.problems],
                "reason": [
                    (f"{p.column} " if p.column else "the row ") + p.reason for p in raw.problems
                ],
            }
        )
        con.register("_unread", unread)
        con.execute(f"INSERT INTO {relation} BY NAME SELECT * FROM _unread")
        con.unregister("_unread")


def _summarise(con: duckdb.DuckDBPyConnection, table: Table, raw: RawTable) -> CheckedTable:
    accepted = con.execute(
        f"SELECT count(*) FROM {quote_ident('accepted_' + table.name)}"
    ).fetchone()
    first = con.execute(
        f"SELECT row, reason FROM {quote_ident('quarantine_' + table.name)} ORDER BY row LIMIT 1"
    ).fetchone()
    n_accepted = int(accepted[0]) if accepted else 0
    return CheckedTable(
        table=table,
        rows_read=raw.rows_read,
        accepted=n_accepted,
        quarantined=raw.rows_read - n_accepted,
        first_problem=f"{raw.file.name} row {first[0]}: {first[1]}" if first else None,
    )
