"""Validate one raw table against the contract inside DuckDB, vectorized.

The checked table keeps every source row with its typed values and a list of problems;
rows with no problem are accepted, the others go to quarantine with their source text.
Checks run in layers: each value, then rules across a row, then key uniqueness, then
foreign keys against what was accepted of the parent tables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from goodwill.ledger.checks import (
    problem,
    quote_ident,
    quote_literal,
    raw_name,
    rule_problem,
    typed_value,
)
from goodwill.ledger.contract import TABLES_BY_NAME, Column, ForeignKey, Table
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
    accepted_rows: pa.Table  # ``_row`` and the typed columns, in row order
    #: For a table whose every row was accepted as read: each key and foreign key
    #: column's distinct typed values and every row's index among them (ingest lays out
    #: usage for rating with them, hashing nothing twice). Empty otherwise.
    codes: Mapping[str, tuple[pa.Array, np.ndarray]] = field(default_factory=dict)

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


def _foreign_key_layer(table: Table, inner: str, self_keys: str | None = None) -> str:
    """Foreign keys of rows clean so far; a key naming this same table is looked up in
    ``self_keys`` when given (its clean keys over the whole table), else in ``_keyed``."""
    structs = []
    for fk in table.foreign_keys:
        parent = TABLES_BY_NAME[fk.table]
        keys = (
            f"(SELECT {quote_ident(parent.primary_key[0])} FROM _keyed WHERE len({PROBLEMS}) = 0)"
            if parent is table and self_keys is None
            else f"(SELECT {quote_ident(parent.primary_key[0])} FROM {self_keys})"
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
    """Validate ``raw``, leaving ``accepted_<table>`` and ``quarantine_<table>`` in ``con``.

    Most rows are fine, so the work is split in two. First every row is typed and flagged
    cheaply: each column's checks run once per distinct value (a column of 45M usage rows
    holds a few hundred thousand), then rules, duplicate keys (over one integer per key)
    and foreign keys (each distinct value looked up once among the parent's keys) are
    flags over the typed rows. Then the full checks, which say what is wrong and where,
    run only on the flagged rows. Both see the same rows the same way, so the verdicts and
    reasons are those of the full checks over the whole table. A table with no flagged
    row is accepted as it was typed, uncopied.
    """
    columns = _typed_by_value(con, table, raw.data)
    rows = raw.data.column(ROW)
    fast = pa.Table.from_arrays(
        [rows, *(c.typed for c in columns)], names=[ROW, *table.column_names]
    )
    fast_name = f"_fast_{table.name}"
    con.register(fast_name, fast)
    before_fk = _bad_values(columns) | _duplicate_keys(con, table, columns, fast_name, rows)
    if table.rules:
        before_fk |= _rows_where(con, _rules_sql(table, fast_name), rows)
    clean_keys = _clean_keys_relation(con, table, fast, before_fk)
    suspect = before_fk
    if table.foreign_keys:
        suspect = suspect | _foreign_key_flags(con, table, columns, fast_name, clean_keys, rows)
    con.unregister(fast_name)
    flagged = pa.array(suspect)
    # Most tables have no flagged row: then every row is accepted as it is, uncopied.
    accepted = fast.filter(pc.invert(flagged)) if suspect.any() else fast
    accepted = _check_suspects(con, table, raw, flagged, clean_keys, accepted)
    if clean_keys:
        con.unregister(clean_keys)
    con.register(f"accepted_{table.name}", accepted)
    codes = {
        name: (c.values, c.codes)
        for name, c in zip(table.column_names, columns, strict=True)
        if c.values is not None and c.codes is not None and accepted is fast
    }
    return _summarise(con, table, raw, accepted, codes)


@dataclass(frozen=True)
class _CheckedColumn:
    """One column over every row: typed, whether its value has a problem, and (for key
    and foreign key columns) an integer per row, equal where the typed values are equal,
    -1 where NULL: the index of its value in ``values`` (None: a column too large to code
    in one go)."""

    typed: pa.ChunkedArray
    bad: np.ndarray
    codes: np.ndarray | None
    distinct: int  # how many distinct typed values the codes count
    values: pa.Array | None = None  # the distinct typed values the codes number


def _typed_by_value(
    con: duckdb.DuckDBPyConnection, table: Table, data: pa.Table
) -> list[_CheckedColumn]:
    """Each column checked once per distinct value (its checks depend on that value
    alone), the columns side by side on the cores."""
    keys = set(table.primary_key) | {fk.column for fk in table.foreign_keys}
    zone = con.execute("SELECT current_setting('TimeZone')").fetchone()
    jobs = [
        (_cursor(con, str(zone[0]) if zone else "UTC"), c, data.column(c.name), c.name in keys)
        for c in table.columns
    ]
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        return list(pool.map(lambda job: _check_column(*job), jobs))


def _cursor(con: duckdb.DuckDBPyConnection, zone: str) -> duckdb.DuckDBPyConnection:
    """A cursor of ``con`` for one thread, reading times in the same zone."""
    cursor = con.cursor()
    cursor.execute(f"SET TimeZone = {quote_literal(zone)}")
    return cursor


def _check_column(
    cursor: duckdb.DuckDBPyConnection, column: Column, text: pa.ChunkedArray, key: bool
) -> _CheckedColumn:
    groups = _groups(text)
    parts = [_check_group(cursor, column, group, key) for group in groups]
    cursor.close()
    typed = pa.chunked_array([c for t, _, _ in parts for c in t.chunks], parts[0][0].type)
    bad = np.concatenate([b for _, b, _ in parts])
    codes, distinct, values = None, 0, None
    if key and len(parts) == 1:  # texts may type alike (" S1", "S1"): code the typed values
        codes, values = parts[0][2]
        distinct = len(values) if values is not None else 0
    return _CheckedColumn(typed, bad, codes, distinct, values)


#: Text per group of chunks checked together: one dictionary per group (Arrow's string
#: offsets are 32-bit, so a dictionary of every distinct text of a huge column may not fit).
GROUP_BYTES = 1 << 30


def _groups(text: pa.ChunkedArray) -> list[pa.ChunkedArray]:
    """The column's chunks in groups of about :data:`GROUP_BYTES`, left uncopied."""
    groups: list[list[pa.Array]] = [[]]
    size = 0
    for chunk in text.chunks:
        if size and size + chunk.nbytes > GROUP_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(chunk)
        size += chunk.nbytes
    return [pa.chunked_array(g or [pa.array([], text.type)], text.type) for g in groups]


def _check_group(
    cursor: duckdb.DuckDBPyConnection, column: Column, text: pa.ChunkedArray, key: bool
) -> tuple[pa.ChunkedArray, np.ndarray, tuple[np.ndarray | None, pa.Array | None]]:
    """One group's typed values, problem flags and typed-value codes with the values they
    number, each distinct text checked once (Arrow encodes a group's chunks against one
    dictionary)."""
    encoded = pc.dictionary_encode(text, null_encoding="encode")
    if not encoded.num_chunks:  # no rows (Arrow drops empty chunks)
        encoded = pa.chunked_array([pc.dictionary_encode(pa.array([], text.type))])
    dictionary = encoded.chunk(0).dictionary
    values = pa.table({"i": pa.array(np.arange(len(dictionary))), "t": dictionary})
    cursor.register("_distinct_values", values)
    raw = quote_ident(raw_name(column.name))
    checked = cursor.execute(
        f"SELECT v, ({problem(column, 'v')}) IS NOT NULL AS bad FROM (SELECT i, {raw}, "
        f"{typed_value(column)} AS v FROM (SELECT i, t AS {raw} FROM _distinct_values)) "
        "ORDER BY i"
    ).to_arrow_table()
    cursor.unregister("_distinct_values")
    typed = checked.column("v").combine_chunks()
    indices = pa.chunked_array([c.indices for c in encoded.chunks], pa.int32())
    index = np.concatenate([c.indices.to_numpy() for c in encoded.chunks])
    flags = checked.column("bad").combine_chunks().to_numpy(zero_copy_only=False)
    bad = flags[index] if flags.any() else np.zeros(len(index), dtype=bool)
    # Text that is its own typed value (ids, periods: trimmed, not empty) is kept as read.
    as_read = typed.type == text.type and typed.equals(dictionary)
    typed_rows = text if as_read else typed.take(indices)
    if not key:
        return typed_rows, bad, (None, None)
    if as_read:  # the distinct texts are the distinct typed values, NULL aside
        per_value = pc.if_else(pc.is_null(typed), -1, pa.array(np.arange(len(typed))))
        return typed_rows, bad, (_codes(per_value, index), typed)
    typed_codes = pc.dictionary_encode(typed)
    per_value = pc.fill_null(typed_codes.indices, -1)
    return typed_rows, bad, (_codes(per_value, index), typed_codes.dictionary)


def _codes(per_value: pa.Array, index: np.ndarray) -> np.ndarray:
    """Each row's typed-value code, from each distinct text's code and the rows' texts."""
    return per_value.to_numpy(zero_copy_only=False).astype(np.int64)[index]


def _bad_values(columns: list[_CheckedColumn]) -> np.ndarray:
    bad = np.zeros(len(columns[0].bad) if columns else 0, dtype=bool)
    for column in columns:
        bad |= column.bad
    return bad


def _duplicate_keys(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    columns: list[_CheckedColumn],
    fast: str,
    rows: pa.ChunkedArray,
) -> np.ndarray:
    """The rows whose key, all of it present, is on another row too: found over one
    integer per key, or over the typed columns where the key has too many values for one."""
    parts = [
        c for c, spec in zip(columns, table.columns, strict=True) if spec.name in table.primary_key
    ]
    if not parts:
        return np.zeros(len(rows), dtype=bool)
    if not all(c.codes is not None for c in parts):
        return _rows_where(con, _duplicates_sql(table, fast), rows)
    room = 1
    for part in parts:
        room *= part.distinct
        if room >= 2**62:
            return _rows_where(con, _duplicates_sql(table, fast), rows)
    codes = np.zeros(len(rows), dtype=np.int64)
    for part in parts:  # in place: at 45M rows each temporary array is 360 MB
        assert part.codes is not None
        codes *= part.distinct
        codes += part.codes
    nullable = [p.codes >= 0 for p in parts if p.codes is not None and p.typed.null_count]
    present = np.logical_and.reduce(nullable) if nullable else np.ones(len(codes), dtype=bool)
    keyed = codes[present] if nullable else codes
    if len(keyed) < 2 or bool((keyed[1:] > keyed[:-1]).all()):
        return np.zeros(len(codes), dtype=bool)  # rows in key order (a sorted export): none twice
    ordered = np.sort(keyed)  # a key on two rows sits next to itself
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if not len(repeated):
        return np.zeros(len(codes), dtype=bool)
    return present & np.isin(codes, repeated)


def _rows_where(con: duckdb.DuckDBPyConnection, sql: str, rows: pa.ChunkedArray) -> np.ndarray:
    """A mask over ``rows`` (increasing row numbers) of the rows ``sql`` returns."""
    found = con.execute(sql).fetchnumpy()[ROW]
    mask = np.zeros(len(rows), dtype=bool)
    if len(found):
        mask[np.searchsorted(rows.to_numpy(), np.asarray(found, dtype=np.int64))] = True
    return mask


def _duplicates_sql(table: Table, fast: str) -> str:
    key = ", ".join(quote_ident(k) for k in table.primary_key)
    present = " AND ".join(f"{quote_ident(k)} IS NOT NULL" for k in table.primary_key)
    return (
        f"SELECT {ROW} FROM {fast} JOIN (SELECT {key} FROM {fast} WHERE {present} "
        f"GROUP BY {key} HAVING count(*) > 1) USING ({key})"
    )


def _rules_sql(table: Table, fast: str) -> str:
    """The rows breaking a rule across their typed values."""
    rules = [
        f"coalesce({' AND '.join(f'{quote_ident(c)} IS NOT NULL' for c in r.columns)} "
        f"AND NOT ({r.condition}), false)"
        for r in table.rules
    ]
    return f"SELECT {ROW} FROM {fast} WHERE {' OR '.join(rules)}"


def _clean_keys_relation(
    con: duckdb.DuckDBPyConnection, table: Table, fast: pa.Table, before_fk: np.ndarray
) -> str | None:
    """For a table whose foreign key names itself: its keys on rows clean so far."""
    if not any(fk.table == table.name for fk in table.foreign_keys):
        return None
    name = f"_clean_keys_{table.name}"
    keys = fast.filter(pc.invert(pa.array(before_fk))).select(list(table.primary_key[:1]))
    con.register(name, keys)
    return name


def _parent_keys(table: Table, fk: ForeignKey, self_keys: str) -> str:
    parent = TABLES_BY_NAME[fk.table]
    source = self_keys if parent is table else quote_ident("accepted_" + parent.name)
    return f"(SELECT {quote_ident(parent.primary_key[0])} FROM {source})"


def _foreign_key_flags(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    columns: list[_CheckedColumn],
    fast: str,
    self_keys: str | None,
    rows: pa.ChunkedArray,
) -> np.ndarray:
    """The rows whose foreign keys name no accepted row (a superset of those the full
    checks turn away: they only look at rows clean so far). Each distinct value is looked
    up once among the parent's keys; a column too large to code is looked up in SQL."""
    by_name = dict(zip(table.column_names, columns, strict=True))
    flags = np.zeros(len(rows), dtype=bool)
    in_sql = []
    for fk in table.foreign_keys:
        column = by_name[fk.column]
        if column.codes is None or column.values is None:
            in_sql.append(fk)
            continue
        parent = _parent_keys(table, fk, self_keys or "")
        keys = con.execute(f"SELECT * FROM {parent}").to_arrow_table().column(0)
        known = pc.is_in(column.values, value_set=keys.combine_chunks().cast(column.values.type))
        # -1 (NULL) reads the last entry, True: a missing value names no parent.
        found = np.append(pc.fill_null(known, True).to_numpy(zero_copy_only=False), True)
        flags |= ~found[column.codes]
    if in_sql:
        flags |= _rows_where(con, _foreign_key_sql(table, fast, self_keys, in_sql), rows)
    return flags


def _foreign_key_sql(
    table: Table,
    fast: str,
    self_keys: str | None,
    foreign_keys: tuple[ForeignKey, ...] | list[ForeignKey],
) -> str:
    """The rows whose foreign keys (of ``foreign_keys``) name no accepted row."""
    tests = [
        f"({quote_ident(fk.column)} IS NOT NULL AND {quote_ident(fk.column)} NOT IN "
        f"{_parent_keys(table, fk, self_keys or '')})"
        for fk in foreign_keys
    ]
    return f"SELECT {ROW} FROM {fast} WHERE {' OR '.join(tests) or 'false'}"


def _check_suspects(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    raw: RawTable,
    suspect: pa.Array,
    self_keys: str | None,
    accepted: pa.Table,
) -> pa.Table:
    """Run the full checks on the flagged rows; leave ``quarantine_<table>`` and return
    ``accepted`` with any flagged row the full checks let through, in row order."""
    source = f"_source_{table.name}"
    con.register(source, raw.data.filter(suspect))
    sql = _foreign_key_layer(
        table, _key_layer(table, _rules_layer(table, _values_layer(table, source))), self_keys
    )
    checked = quote_ident(f"checked_{table.name}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {checked} AS {sql}")
    con.unregister(source)
    typed = ", ".join(quote_ident(c) for c in table.column_names)
    passed = con.execute(
        f"SELECT {ROW}, {typed} FROM {checked} WHERE len({PROBLEMS}) = 0 ORDER BY {ROW}"
    ).to_arrow_table()
    _write_quarantine(con, table, raw, checked)
    con.execute(f"DROP TABLE {checked}")
    if not passed.num_rows:
        return accepted
    merged = pa.concat_tables([accepted, passed.cast(accepted.schema)])
    return merged.take(pc.sort_indices(merged, [(ROW, "ascending")]))


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


def _summarise(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    raw: RawTable,
    accepted: pa.Table,
    codes: Mapping[str, tuple[pa.Array, np.ndarray]],
) -> CheckedTable:
    first = con.execute(
        f"SELECT row, reason FROM {quote_ident('quarantine_' + table.name)} ORDER BY row LIMIT 1"
    ).fetchone()
    n_accepted = accepted.num_rows
    return CheckedTable(
        table=table,
        rows_read=raw.rows_read,
        accepted=n_accepted,
        quarantined=raw.rows_read - n_accepted,
        first_problem=f"{raw.file.name} row {first[0]}: {first[1]}" if first else None,
        accepted_rows=accepted,
        codes=codes,
    )
