"""``goodwill ingest``: validate a folder of source tables into a new ledger snapshot.

Good rows go through, bad rows go to ``<data>/quarantine/<table>.csv`` with their row
number, column, value and reason; nothing is dropped silently. If any table has more bad
rows than ``max_bad_fraction`` allows, or a required table or column is missing, the
ingest stops with an error and the previous ledger stays exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from goodwill.errors import IngestError, MissingTableError, TooManyBadRowsError
from goodwill.ledger.checks import quote_ident
from goodwill.ledger.contract import TABLES, TABLES_BY_NAME, Table
from goodwill.ledger.emptying import check_allow_empty, ledger_rows, refuse_emptying
from goodwill.ledger.ingest_warnings import (
    ZonelessTimes,
    missing_column_warning,
    zoneless_times,
    zoneless_warning,
)
from goodwill.ledger.rating_usage import Coded, build_layout_from_rows, write_built
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
    reports = tuple(report for report, _, _ in checked.values())
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
        accepted = {name: rows for name, (_, rows, _) in checked.items()}
        _write_snapshot(accepted, checked["usage"][2], snapshot)
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


def _write_snapshot(
    accepted: dict[str, pa.Table | None], usage_codes: Mapping[str, Coded], snapshot: Path
) -> None:
    """Each table's Parquet and the rating layout (built from the accepted rows in
    memory, with the codes the checks gave usage's keys), side by side on the cores."""
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        jobs = [pool.submit(_write_rating_layout, accepted, usage_codes, snapshot)]
        jobs += [
            pool.submit(write_table, rows, t, snapshot)
            for t in TABLES
            if (rows := accepted[t.name]) is not None
        ]
        for job in jobs:
            job.result()


def _write_rating_layout(
    accepted: dict[str, pa.Table | None], usage_codes: Mapping[str, Coded], snapshot: Path
) -> None:
    usage, subscriptions = (
        _rows_or_none(accepted[name], TABLES_BY_NAME[name]) for name in ("usage", "subscriptions")
    )
    write_built(*build_layout_from_rows(usage, subscriptions, usage_codes), snapshot)


def _rows_or_none(rows: pa.Table | None, table: Table) -> pa.Table:
    """The contract's columns of the accepted rows (no file: no rows, typed alike)."""
    if rows is not None:
        return rows.select(list(table.column_names))
    with duckdb.connect() as con:
        typed = ", ".join(
            f"CAST(NULL AS {c.storage_type}) AS {quote_ident(c.name)}" for c in table.columns
        )
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(f"SELECT {typed} WHERE false").to_arrow_table()


def _require_tables(source_dir: Path, sources: dict[str, Path | None]) -> None:
    missing = [t.name for t in TABLES if t.required and sources[t.name] is None]
    if missing:
        raise MissingTableError(
            f"{source_dir} has no {missing[0]}.csv (or {missing[0]}.parquet); every ledger needs "
            f"{', '.join(t.name for t in TABLES if t.required)}; see docs/ledger.md"
        )


def _ingest_table(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path | None, progress: Progress | None
) -> tuple[TableReport, pa.Table | None, Mapping[str, Coded]]:
    """What ingest did with one table, its accepted rows (None: no file) and the codes
    of their keys (see :class:`CheckedTable`)."""
    if path is None:
        return TableReport(table.name, None, 0, 0, 0), None, {}
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
    # Only usage's codes are kept (for its rating layout): at 1M customers they hold 1 GB.
    return report, checked.accepted_rows, checked.codes if table.name == "usage" else {}


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
