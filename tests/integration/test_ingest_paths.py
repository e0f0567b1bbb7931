"""Ingest's quick paths give what its full checks give: the same ledger, byte for byte the
same quarantine, whether a row is typed once per distinct text and looked up once per
distinct key, or checked in full in SQL.

The full path is forced by sending every row to the checks that say what is wrong and
where (``_check_suspects``), none accepted on its flags."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.errors import LedgerError
from goodwill.ledger import ingest as ingest_module
from goodwill.ledger import rating_usage as rating_usage_module
from goodwill.ledger import sources, validate
from goodwill.ledger.checks import problem, quote_ident, raw_name, typed_value
from goodwill.ledger.contract import TABLES, TABLES_BY_NAME, Column, Table
from goodwill.ledger.ingest import ingest
from goodwill.ledger.rating_usage import (
    FILE,
    SUBSCRIPTION_COLUMNS,
    build_layout,
    build_layout_from_rows,
)
from goodwill.ledger.reader import open_ledger
from goodwill.ledger.snapshot import write_table
from goodwill.ledger.sources import ROW, RawTable, read_source
from goodwill.sample import write_sample
from goodwill.settings import Settings
from tests.conftest import GOOD_SOURCE, write_source
from tests.integration.test_ingest_flagged import connection, raw_table

USAGE = TABLES_BY_NAME["usage"]

#: A source with every oddity the text path handles, among good rows: spaces around
#: values, empty cells, a plus sign, hex, too many digits, decimals where whole numbers
#: go, zoneless and offset times, booleans spelled four ways, ids with leading zeros,
#: a quoted value across lines, duplicate keys typed alike, dangling foreign keys,
#: a row with too many fields, and a byte that is not UTF-8.
ODD_SOURCE = {
    **GOOD_SOURCE,
    "plans": GOOD_SOURCE["plans"]
    + "P-007,Bond,0700,GBP,Yes,12,0\n"
    + "P-X,Hex,0x10,GBP,t,0,0\n"
    + " P-Y ,Spaced, 800 ,GBP,N,0,+5\n"
    + 'P-Z,"Two\nlines",900,GBP,0,0,0\n',
    "customers": GOOD_SOURCE["customers"]
    + "C4,Dee,dee@example.com,2025-04-01 09:30,,C9,care,en-GB\n"
    + " C5 ,Eve,,2025-05-01T09:30:00+02:00,2025-04-01,C1,fax,\n"
    + "C6,,,soon,,,,\n"
    + "C 7,Gil,gil@example.com,2025-06-01,,,,english\n"
    + "C8,Hal,hal@example.com,2025-06-01,,,,en-GB,extra\n",
    "subscriptions": GOOD_SOURCE["subscriptions"]
    + "S5,C1,,P-007,2025-01-03T10:00:00Z,,\n"
    + "S6,C9,,P-750,2025-01-03T10:00:00Z,,\n"
    + "S1 ,C2,,P-750,2025-01-03T10:00:00Z,,\n",
    "usage": GOOD_SOURCE["usage"]
    + "S2,2026-02, voice_min ,  12  \n"
    + "S2,2026-02,sms,+5\n"
    + "S2,2026-03,sms,0x10\n"
    + "S2,2026-03,data_mb,99999999999999999999\n"
    + "S2,2026-03,voice_min,7.5\n"
    + "S2,2026-3,sms,1\n"
    + "S9,2026-01,sms,1\n"
    + "S4,2026-01,sms,\n"
    + "S4,2026-01,data_mb,0012\n"
    + "S5,2026-01,data_mb,5\n",
    "bills": GOOD_SOURCE["bills"] + "C1,2026-02,10.50,GBP\nC2,2026-03,-5,GBP\nC3,2026-01,900,XXX\n",
}


_check_suspects = validate._check_suspects


def every_row_checked_in_full(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    raw: RawTable,
    suspect: pa.Array,
    self_keys: str | None,
    accepted: pa.Table,
) -> pa.Table:
    """The full checks on every row, none accepted beforehand (the keys of rows clean
    before foreign keys, which a table naming itself looks up, are found as before)."""
    everything = pa.array(np.ones(len(suspect), dtype=bool))
    return _check_suspects(con, table, raw, everything, self_keys, accepted.slice(0, 0))


def ingest_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path
) -> tuple[Path, Path]:
    """The data folders of an ingest by the quick paths and of one by the full checks."""
    quick = tmp_path / "quick"
    ingest(source, Settings(data_dir=quick, max_bad_fraction=1.0))
    monkeypatch.setattr(validate, "_check_suspects", every_row_checked_in_full)
    full = tmp_path / "full"
    ingest(source, Settings(data_dir=full, max_bad_fraction=1.0))
    return quick, full


def ledger_tables(data: Path) -> dict[str, pa.Table]:
    ledger = (data / "ledger").resolve()
    found = {
        str(p.relative_to(ledger)): pq.read_table(p) for p in sorted(ledger.rglob("*.parquet"))
    }
    return found


def quarantine_files(data: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data / "quarantine").glob("*.csv"))}


def test_the_quick_paths_and_the_full_checks_give_the_same_ledger_and_quarantine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_source(tmp_path / "source", ODD_SOURCE)
    (source / "tickets.csv").write_bytes(
        b"ticket_id,customer_id,channel,opened_at,first_response_at,resolved_at,category,"
        b"is_complaint,owner\n"
        b"T1,C1,email,2026-01-02T10:00:00Z,,,billing,false,\n"
        b"T2,C2,chat,2026-01-02 10:00,2026-01-02 10:05,,network,TRUE,Al\n"
        b"T3,C1,fax,2026-01-02T10:00:00Z,,,billing,maybe,\n"
        b"T4,C1,email,2026-01-02T10:00:00Z,,,caf\xe9,no,\n"
    )
    quick, full = ingest_both_ways(tmp_path, monkeypatch, source)
    assert ledger_tables(quick) == ledger_tables(full)
    assert quarantine_files(quick) == quarantine_files(full)
    assert len(quarantine_files(quick)) >= 6  # every table with an oddity turned some away
    assert (quick / "ledger" / FILE).read_bytes() == (full / "ledger" / FILE).read_bytes()


def test_the_sample_ingests_alike_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "sample"
    write_sample(source, customers=150, months=3, seed=3, asof=date(2026, 11, 23))
    with (source / "usage.csv").open("a") as f:  # one bad value among good ones
        f.write("S0000001,2026-10,data_mb,lots\n")
    quick, full = ingest_both_ways(tmp_path, monkeypatch, source)
    assert ledger_tables(quick) == ledger_tables(full)
    assert quarantine_files(quick) == quarantine_files(full)
    assert b"lots" in quarantine_files(quick)["usage.csv"]


def test_the_layout_ingest_writes_is_the_one_built_from_the_ledger(
    tmp_path: Path,
) -> None:
    source = write_source(tmp_path / "source", ODD_SOURCE)
    ingest(source, Settings(data_dir=tmp_path / "data", max_bad_fraction=1.0))
    ledger = open_ledger(tmp_path / "data" / "ledger")
    built, _ = build_layout(ledger.con.con)
    assert pq.read_table(tmp_path / "data" / "ledger" / FILE).equals(built)


texts = st.sampled_from(
    ["", " ", "0", "5", "+5", "-1", " 12 ", "0x10", "7.5", "0.12345", "99999999999999999999",
     "2026-01-01", "2026-02-30", "2026-01-01T10:00:00Z", "2026-01-01 10:00", "2026-13",
     "2026-01", "true", "No", "maybe", "GBP", "XXX", "gbp", "a@b.co", "en-GB", "S1", "S 1",
     "care;advice", "fax", "x" * 70]
)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(st.lists(texts, min_size=1, max_size=12))
def test_a_problem_with_the_value_typed_once_is_the_same_problem(values: list[str]) -> None:
    con = connection()
    con.register("_texts", pa.table({"t": pa.array(values, pa.string())}))
    columns: list[Column] = [c for t in TABLES for c in t.columns]
    for column in columns:
        raw = quote_ident(raw_name(column.name))
        once = con.execute(
            f"SELECT {problem(column, 'v')} FROM (SELECT {raw}, {typed_value(column)} AS v "
            f"FROM (SELECT t AS {raw} FROM _texts))"
        ).fetchall()
        inline = con.execute(
            f"SELECT {problem(column)} FROM (SELECT t AS {raw} FROM _texts)"
        ).fetchall()
        assert once == inline, column


usage_rows = st.lists(
    st.fixed_dictionaries(
        {
            "subscription_id": st.sampled_from(["S1", "S2", " S1", "S9", "", "S3"]),
            "period": st.sampled_from(["2026-01", "2026-02", "", "2026-1"]),
            "kind": st.sampled_from(["sms", " sms", "data_mb", ""]),
            "quantity": st.sampled_from(["1", "2", ""]),
        }
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(usage_rows, st.booleans())
def test_keys_and_foreign_keys_flagged_by_value_are_those_sql_flags(
    rows: list[dict[str, str]], in_order: bool
) -> None:
    if in_order:  # an export in key order takes the quick way past the sort
        rows = sorted(rows, key=lambda r: tuple(r.values()))
    raw = raw_table(USAGE, rows)
    con = connection()
    con.register("accepted_subscriptions", pa.table({"subscription_id": ["S1", "S2", "S3"]}))
    columns = validate._typed_by_value(con, USAGE, raw.data)
    fast = pa.Table.from_arrays(
        [raw.data.column(ROW), *(c.typed for c in columns)], names=[ROW, *USAGE.column_names]
    )
    con.register("_fast", fast)
    row_numbers = raw.data.column(ROW)
    duplicates = validate._duplicate_keys(con, USAGE, columns, "_fast", row_numbers)
    by_sql = validate._rows_where(con, validate._duplicates_sql(USAGE, "_fast"), row_numbers)
    assert duplicates.tolist() == by_sql.tolist()
    dangling = validate._foreign_key_flags(con, USAGE, columns, "_fast", None, row_numbers)
    sql = validate._foreign_key_sql(USAGE, "_fast", None, USAGE.foreign_keys)
    assert dangling.tolist() == validate._rows_where(con, sql, row_numbers).tolist()


def test_a_column_whose_texts_are_their_typed_values_is_kept_as_read() -> None:
    raw = raw_table(
        USAGE, [{"subscription_id": "S1", "period": "2026-01", "kind": "sms", "quantity": "3"}]
    )
    columns = validate._typed_by_value(connection(), USAGE, raw.data)
    assert columns[0].typed.equals(raw.data.column("subscription_id"))
    assert columns[0].typed.chunk(0).buffers()[2].address == (
        raw.data.column("subscription_id").chunk(0).buffers()[2].address
    )  # the same memory: not copied


@pytest.mark.parametrize("quoted", [False, True])
def test_a_file_without_quotes_reads_as_one_that_may_hold_line_breaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quoted: bool
) -> None:
    text = (
        "subscription_id,period,kind,quantity\n"
        "S1,2026-01,sms,1\nS2,2026-01,sms\nS3,2026-01, sms ,2,9\n\nS4,2026-02,data_mb,\n"
        + ('S5,2026-02,"data\nmb",3\n' if quoted else "S5,2026-02,data_mb,3\n")
    )
    path = tmp_path / "usage.csv"
    path.write_text(text)
    assert sources._may_quote_newlines(path.read_bytes()) is quoted
    quick = read_source(path, USAGE)
    monkeypatch.setattr(sources, "_may_quote_newlines", lambda raw: True)
    careful = read_source(path, USAGE)
    assert quick.data.equals(careful.data)
    assert quick.problems == careful.problems
    assert [p.row for p in quick.problems] == [3, 4]


def test_arrow_reads_no_quote_file_alike_both_ways() -> None:
    # Arrow's own reader, the two ways, over a file with empty lines and CRLF endings
    raw = b"a,b\r\n1,x\r\n\r\n2, y \r\n3,\r\n"
    tables = [
        pacsv.read_csv(
            io.BytesIO(raw),
            parse_options=pacsv.ParseOptions(newlines_in_values=flag),
            convert_options=pacsv.ConvertOptions(column_types={"a": pa.string(), "b": pa.string()}),
        )
        for flag in (False, True)
    ]
    assert tables[0].equals(tables[1])


def test_a_partitioned_table_keeps_row_order_within_each_partition(tmp_path: Path) -> None:
    periods = ["2026-03", "2026-01", "2026-02", "2026-01", "2026-03", "2026-01"]
    accepted = pa.table(
        {
            ROW: pa.array(range(2, 8), pa.int64()),
            "subscription_id": [f"S{i}" for i in range(6)],
            "period": periods,
            "kind": ["sms"] * 6,
            "quantity": pa.array(range(6), pa.int64()),
        }
    )
    write_table(accepted, USAGE, tmp_path)
    for period in sorted(set(periods)):
        part = pq.read_table(tmp_path / "usage" / f"period={period}" / "part-0.parquet")
        expected = [f"S{i}" for i, p in enumerate(periods) if p == period]
        assert part.column("subscription_id").to_pylist() == expected
        assert part.column_names == ["subscription_id", "kind", "quantity"]


def test_a_clean_sample_is_laid_out_from_the_checks_codes_as_from_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "sample"
    write_sample(source, customers=150, months=3, seed=5, asof=date(2026, 11, 23))
    given: list[object] = []
    real = rating_usage_module.build_layout_from_rows

    def spy(usage: pa.Table, subscriptions: pa.Table, codes: object = None) -> object:
        given.append(codes)
        return real(usage, subscriptions, codes)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module, "build_layout_from_rows", spy)
    report = ingest(source, Settings(data_dir=tmp_path / "data"))
    assert report.quarantined == 0
    assert given and set(given[0]) >= {"subscription_id", "period", "kind"}  # type: ignore[arg-type]
    ledger = open_ledger(tmp_path / "data" / "ledger")
    built, cells = build_layout(ledger.con.con)
    assert pq.read_table(tmp_path / "data" / "ledger" / FILE).equals(built)
    usage = ledger.con.con.execute("SELECT * FROM usage").to_arrow_table()
    subscriptions = ledger.con.con.execute("SELECT * FROM subscriptions").to_arrow_table()
    assert build_layout_from_rows(usage, subscriptions) == (built, cells)


def test_a_layout_from_rows_with_a_duplicate_says_what_to_do() -> None:
    usage = pa.table(
        {
            "subscription_id": ["S1", "S1"],
            "period": ["2026-01", "2026-01"],
            "kind": ["sms", "sms"],
            "quantity": pa.array([1, 2], pa.int64()),
        }
    )
    subscriptions = pa.table(
        {
            c: pa.array(["S1"] if c == "subscription_id" else [None], pa.string())
            for c in SUBSCRIPTION_COLUMNS
        }
    )
    with pytest.raises(LedgerError, match="usage has two rows"):
        build_layout_from_rows(usage, subscriptions)
