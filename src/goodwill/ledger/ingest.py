"""``goodwill ingest``: validate a folder of source tables into a new ledger snapshot.

Good rows go through, bad rows go to ``<data>/quarantine/<table>.csv`` with their row
number, column, value and reason; nothing is dropped silently. If any table has more bad
rows than ``max_bad_fraction`` allows, or a required table or column is missing, the
ingest stops with an error and the previous ledger stays exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from goodwill.errors import IngestError, MissingTableError, TooManyBadRowsError
from goodwill.ledger.checks import quote_ident, quote_literal
from goodwill.ledger.contract import TABLES, TABLES_BY_NAME, Table
from goodwill.ledger.emptying import check_allow_empty, ledger_rows, refuse_emptying
from goodwill.ledger.folder import table_path
from goodwill.ledger.ingest_warnings import (
    ZonelessTimes,
    missing_column_warning,
    zoneless_times,
    zoneless_warning,
)
from goodwill.ledger.rating_usage import write_rating_usage
from goodwill.ledger.snapshot import (
    new_snapshot_dir,
    replace_folder,
    swap_in,
    write_manifest,
    write_table,
)
from goodwill.ledger.sources import find_source, read_source
from goodwill.ledger.validate import CheckedTable, check_table
from goodwill.settings import Settings


@dataclass(frozen=True)
class TableReport:
    """What ingest did with one table."""

    table: str
    file: str | None
    rows_read: int
    accepted: int
    quarantined: int
    first_problem: str | None = None
    ignored_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()  # optional columns the file lacks: empty in the ledger
    zoneless: tuple[ZonelessTimes, ...] = ()  # times without a zone, taken as UTC

    @property
    def warnings(self) -> tuple[str, ...]:
        if not self.file:
            return ()
        missing = [missing_column_warning(self.file, self.table, self.missing_columns)]
        zoneless = [zoneless_warning(self.file, z) for z in self.zoneless]
        return tuple(missing[: bool(self.missing_columns)] + zoneless)

    @property
    def bad_fraction(self) -> float:
        return self.quarantined / self.rows_read if self.rows_read else 0.0


@dataclass(frozen=True)
class IngestReport:
    """What ingest did: one report per table, and where the ledger and quarantine are."""

    tables: tuple[TableReport, ...]
    ledger_dir: Path
    quarantine_dir: Path

    @property
    def quarantined(self) -> int:
        return sum(t.quarantined for t in self.tables)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for t in self.tables for w in t.warnings)


Progress = Callable[[str], None]


def ingest(
    source_dir: Path,
    settings: Settings,
    progress: Progress | None = None,
    *,
    allow_empty: Collection[str] = (),
) -> IngestReport:
    """Validate every table in ``source_dir`` and swap in the new ledger, or raise and change nothing.

    A table with rows in the ledger is never replaced by no rows unless it is named in
    ``allow_empty`` (see :mod:`goodwill.ledger.emptying`).
    """
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise IngestError(
            f"{source_dir} is not a folder; give the folder that holds customers.csv, plans.csv, …"
        )
    check_allow_empty(allow_empty)
    sources = {t.name: find_source(source_dir, t) for t in TABLES}
    _require_tables(source_dir, sources)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    checked = {t.name: _ingest_table(con, t, sources[t.name], progress) for t in TABLES}
    reports = tuple(report for report, _ in checked.values())
    staged_quarantine = settings.data_dir / ".quarantine-staged"
    if staged_quarantine.exists():
        shutil.rmtree(staged_quarantine)
    _write_quarantine(con, reports, staged_quarantine)
    replace_folder(settings.quarantine_dir, staged_quarantine)
    _check_fractions(reports, settings)
    incoming = {r.table: (r.file, r.rows_read) for r in reports}
    refuse_emptying(incoming, ledger_rows(settings.ledger_dir), allow_empty, settings.ledger_dir)
    snapshot = new_snapshot_dir(settings.data_dir)
    try:
        if progress:
            progress("writing the ledger and laying out usage for rating")
        accepted = {name: rows for name, (_, rows) in checked.items()}
        _write_snapshot(accepted, snapshot)
        write_manifest(
            snapshot,
            source_dir,
            {r.table: r.accepted for r in reports},
            {r.table: r.quarantined for r in reports},
        )
    except BaseException:
        shutil.rmtree(snapshot)
        raise
    swap_in(settings.data_dir, snapshot)
    return IngestReport(reports, settings.ledger_dir, settings.quarantine_dir)


#: The tables the rating layout is built from: written first, so it can start early.
RATED = ("usage", "subscriptions")


def _write_snapshot(accepted: dict[str, pa.Table | None], snapshot: Path) -> None:
    """Each table's Parquet side by side on the cores, and the rating layout, built from
    the Parquet of usage and subscriptions while the other tables are written (DuckDB
    joins dictionary-encoded Parquet faster than the same rows held in Arrow)."""
    tables = sorted(TABLES, key=lambda t: t.name not in RATED)
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        jobs = {
            t.name: pool.submit(write_table, rows, t, snapshot)
            for t in tables
            if (rows := accepted[t.name]) is not None
        }
        for name in RATED:
            if name in jobs:
                jobs[name].result()
        written = {name: len(rows) if rows is not None else 0 for name, rows in accepted.items()}
        _write_rating_layout(snapshot, written)
        for job in jobs.values():
            job.result()


def _write_rating_layout(snapshot: Path, rows: dict[str, int]) -> None:
    """The rating layout, from the ``usage`` and ``subscriptions`` just written."""
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        for name in RATED:
            table = TABLES_BY_NAME[name]
            con.execute(
                f"CREATE VIEW {quote_ident(name)} AS {_parquet_select(snapshot, table, rows[name])}"
            )
        write_rating_usage(con, snapshot)


def _parquet_select(snapshot: Path, table: Table, rows: int) -> str:
    """The contract's columns of a table written to ``snapshot`` (no file: no rows)."""
    if not rows:  # write_table writes no file for no rows
        typed = (f"CAST(NULL AS {c.storage_type}) AS {quote_ident(c.name)}" for c in table.columns)
        return f"SELECT {', '.join(typed)} WHERE false"
    where = quote_literal(str(table_path(snapshot, table)))
    source = f"read_parquet({where})"
    if table.partition_by:
        files = quote_literal(str(table_path(snapshot, table) / "**" / "*.parquet"))
        source = (
            f"read_parquet({files}, hive_partitioning = true, "
            f"hive_types = {{{quote_literal(table.partition_by)}: VARCHAR}})"
        )
    return f"SELECT {', '.join(quote_ident(c) for c in table.column_names)} FROM {source}"


def _require_tables(source_dir: Path, sources: dict[str, Path | None]) -> None:
    missing = [t.name for t in TABLES if t.required and sources[t.name] is None]
    if missing:
        raise MissingTableError(
            f"{source_dir} has no {missing[0]}.csv (or {missing[0]}.parquet); every ledger needs "
            f"{', '.join(t.name for t in TABLES if t.required)}; see docs/ledger.md"
        )


def _ingest_table(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path | None, progress: Progress | None
) -> tuple[TableReport, pa.Table | None]:
    """What ingest did with one table, and its accepted rows (None: no file)."""
    if path is None:
        return TableReport(table.name, None, 0, 0, 0), None
    if progress:
        progress(f"checking {path.name}")
    raw = read_source(path, table)
    checked: CheckedTable = check_table(con, table, raw)
    report = TableReport(
        table=table.name,
        file=path.name,
        rows_read=checked.rows_read,
        accepted=checked.accepted,
        quarantined=checked.quarantined,
        first_problem=checked.first_problem,
        ignored_columns=raw.ignored_columns,
        missing_columns=raw.missing_columns,
        zoneless=zoneless_times(table, raw),
    )
    return report, checked.accepted_rows


def _write_quarantine(
    con: duckdb.DuckDBPyConnection, reports: tuple[TableReport, ...], folder: Path
) -> None:
    folder.mkdir(parents=True)
    for report in reports:
        if report.quarantined:
            relation = quote_ident(f"quarantine_{report.table}")
            target = str(folder / f"{report.table}.csv").replace("'", "''")
            con.execute(
                f"COPY (SELECT * FROM {relation} ORDER BY row) TO '{target}' (HEADER, DELIMITER ',')"
            )


def _check_fractions(reports: tuple[TableReport, ...], settings: Settings) -> None:
    over = [r for r in reports if r.bad_fraction > settings.max_bad_fraction]
    if not over:
        return
    lines = [
        f"{r.file}: {r.quarantined:,} of {r.rows_read:,} rows are bad ({r.bad_fraction:.1%}), over the "
        f"limit of {settings.max_bad_fraction:.1%}; first: {r.first_problem}"
        for r in over
    ]
    raise TooManyBadRowsError(
        "\n".join(lines)
        + f"\nThe ledger was not changed. Every bad row is in {settings.quarantine_dir}/; fix the "
        "source and ingest again, or raise the limit with --max-bad-fraction."
    )
