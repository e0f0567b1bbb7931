"""Ingest checks every value once per distinct text and runs the full checks only on the
rows it flags: what it accepts and quarantines must be exactly what the full checks, run
on every row, accept and quarantine (same rows, same typed values, same reasons)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.ledger import validate
from goodwill.ledger.checks import quote_ident
from goodwill.ledger.contract import TABLES_BY_NAME, Table
from goodwill.ledger.sources import ROW, RawTable
from goodwill.ledger.validate import (
    PROBLEMS,
    _foreign_key_layer,
    _key_layer,
    _rules_layer,
    _values_layer,
    check_table,
)

CUSTOMERS = TABLES_BY_NAME["customers"]
USAGE = TABLES_BY_NAME["usage"]

# Texts that type alike (" C1", "C1"), that are malformed, empty, or name no customer.
IDS = ["C1", " C1", "C2", "C3 ", "C 4", "", "C5", "c5", "x" * 70]
DAYS = ["2025-01-01", "2025-02-30", "2024-12-31T10:00:00Z", "2025-01-01 09:00", "", "soon"]
CONSENTS = ["", "email", "email;sms", "fax", "email; post"]
SUBS = ["S1", "S2", " S1", "S9", ""]
PERIODS = ["2026-01", "2026-1", "2026-02", "", "2026-13"]
KINDS = ["data_mb", "sms", " sms", "voice min", ""]
QUANTITIES = ["5", "+5", "-1", "0", "", "7.5", "99999999999999999999", " 12 "]


def raw_table(table: Table, rows: list[dict[str, str]]) -> RawTable:
    columns = {c: pa.array([r.get(c) for r in rows], pa.string()) for c in table.column_names}
    numbers = pa.array(range(2, len(rows) + 2), pa.int64())
    data = pa.table({**columns, ROW: numbers})
    return RawTable(Path(f"{table.name}.csv"), data, (), ())


def full_checks(
    con: duckdb.DuckDBPyConnection, table: Table, raw: RawTable
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The full checks over every row (what ingest did before it flagged rows first)."""
    con.register("_every_row", raw.data)
    sql = _foreign_key_layer(
        table, _key_layer(table, _rules_layer(table, _values_layer(table, "_every_row")))
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _full AS {sql}")
    typed = ", ".join(quote_ident(c) for c in table.column_names)
    accepted = con.execute(
        f"SELECT {ROW}, {typed} FROM _full WHERE len({PROBLEMS}) = 0 ORDER BY {ROW}"
    ).fetchall()
    reasons = con.execute(
        f"SELECT {ROW}, {PROBLEMS}[1].column, {PROBLEMS}[1].value, "
        f"array_to_string(list_transform({PROBLEMS}, p -> p.reason), '; ') "
        f"FROM _full WHERE len({PROBLEMS}) > 0 ORDER BY {ROW}"
    ).fetchall()
    return accepted, reasons


def flagged_checks(
    con: duckdb.DuckDBPyConnection, table: Table, raw: RawTable
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    checked = check_table(con, table, raw)
    accepted = [tuple(r.values()) for r in checked.accepted_rows.to_pylist()]
    relation = quote_ident(f"quarantine_{table.name}")
    reasons = con.execute(
        f'SELECT row, "column", value, reason FROM {relation} ORDER BY row'
    ).fetchall()
    return accepted, reasons


def connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


customer_rows = st.lists(
    st.fixed_dictionaries(
        {
            "customer_id": st.sampled_from(IDS),
            "name": st.sampled_from(["Ann", "", "Kit"]),
            "email": st.sampled_from(["ann@example.com", "not-an-email", ""]),
            "joined_at": st.sampled_from(DAYS),
            "left_at": st.sampled_from(DAYS),
            "referred_by": st.sampled_from(IDS),
            "consents": st.sampled_from(CONSENTS),
            "locale": st.sampled_from(["en-GB", "english", ""]),
        }
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(customer_rows)
def test_customers_flagged_checks_are_the_full_checks(rows: list[dict[str, str]]) -> None:
    # customers: rules across columns, a key, and a foreign key that names the table itself
    raw = raw_table(CUSTOMERS, rows)
    assert flagged_checks(connection(), CUSTOMERS, raw) == full_checks(connection(), CUSTOMERS, raw)


usage_rows = st.lists(
    st.fixed_dictionaries(
        {
            "subscription_id": st.sampled_from(SUBS),
            "period": st.sampled_from(PERIODS),
            "kind": st.sampled_from(KINDS),
            "quantity": st.sampled_from(QUANTITIES),
        }
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(usage_rows)
def test_usage_flagged_checks_are_the_full_checks(rows: list[dict[str, str]]) -> None:
    # usage: a key of three columns, typed alike from different texts, and a foreign key
    raw = raw_table(USAGE, rows)
    subscriptions = pa.table({"subscription_id": ["S1", "S2"]})
    results = []
    for check in (flagged_checks, full_checks):
        con = connection()
        con.register("accepted_subscriptions", subscriptions)
        results.append(check(con, USAGE, raw))
    assert results[0] == results[1]


def test_a_duplicate_key_typed_alike_from_different_texts_is_found() -> None:
    raw = raw_table(
        USAGE,
        [
            {"subscription_id": "S1", "period": "2026-01", "kind": "sms", "quantity": "1"},
            {"subscription_id": " S1", "period": "2026-01", "kind": "sms ", "quantity": "2"},
            {"subscription_id": "S1", "period": "2026-02", "kind": "sms", "quantity": "3"},
        ],
    )
    con = connection()
    con.register("accepted_subscriptions", pa.table({"subscription_id": ["S1"]}))
    accepted, reasons = flagged_checks(con, USAGE, raw)
    assert [r[0] for r in accepted] == [4]
    assert [r[0] for r in reasons] == [2, 3]
    assert "is on rows 2, 3: a key must be unique" in str(reasons[0][3])


@settings(max_examples=30, deadline=None)
@given(usage_rows)
def test_a_column_checked_in_groups_gives_the_same(rows: list[dict[str, str]]) -> None:
    # a column too large for one dictionary is checked in groups of chunks, and its
    # duplicate keys are found over the typed columns instead of integer codes
    raw = raw_table(USAGE, rows)
    chunked = pa.Table.from_batches(raw.data.to_batches(max_chunksize=3), raw.data.schema)
    raw = RawTable(raw.file, chunked, (), ())
    subscriptions = pa.table({"subscription_id": ["S1", "S2"]})
    results = []
    for group_bytes in (1, validate.GROUP_BYTES):
        con = connection()
        con.register("accepted_subscriptions", subscriptions)
        previous, validate.GROUP_BYTES = validate.GROUP_BYTES, group_bytes
        try:
            results.append(flagged_checks(con, USAGE, raw))
        finally:
            validate.GROUP_BYTES = previous
    con = connection()
    con.register("accepted_subscriptions", subscriptions)
    assert results[0] == results[1] == full_checks(con, USAGE, raw)
