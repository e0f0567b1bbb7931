"""Read one source table file (CSV or Parquet) as text columns, keeping every row's number.

Every value is read as text so that validation, not the reader, decides what is wrong
with it. Rows the reader cannot split into the right number of fields, and values that
are not UTF-8, come back as :class:`RawProblem` instead of being dropped.

Row numbers are the ones a spreadsheet shows: the CSV header is row 1, so the first data
row is row 2 (a quoted value may span lines; it is still one row). In a Parquet file the
first record is row 1.
"""

from __future__ import annotations

import csv
import mmap
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from goodwill.errors import IngestError, MissingColumnError, UnreadableFileError
from goodwill.ledger.contract import Table

ROW = "_row"


@dataclass(frozen=True)
class RawProblem:
    """A row that could not even be read into columns."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class RawTable:
    """A source table as text: the contract's columns (absent optional ones null) and ``_row``."""

    file: Path
    data: pa.Table
    problems: tuple[RawProblem, ...]
    ignored_columns: tuple[str, ...]
    missing_columns: tuple[str, ...] = ()  # optional columns the file does not have

    @property
    def rows_read(self) -> int:
        return self.data.num_rows + len(self.problems)


def find_source(source_dir: Path, table: Table) -> Path | None:
    """The file holding ``table`` in ``source_dir``: ``<name>.csv`` or ``<name>.parquet``."""
    found = [
        p
        for p in (source_dir / f"{table.name}.csv", source_dir / f"{table.name}.parquet")
        if p.exists()
    ]
    if len(found) > 1:
        raise IngestError(
            f"{source_dir} has both {found[0].name} and {found[1].name}; keep one of them"
        )
    return found[0] if found else None


def read_source(path: Path, table: Table) -> RawTable:
    """Read ``path`` as text columns in the contract's order, with ``_row`` numbers."""
    if path.suffix == ".parquet":
        return _read_parquet(path, table)
    return _read_csv(path, table)


def _conform(
    path: Path, table: Table, header: list[str], columns: dict[str, pa.Array]
) -> tuple[pa.Table, tuple[str, ...], tuple[str, ...]]:
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    if missing:
        raise MissingColumnError(
            f"{path.name} has no column {', '.join(missing)}; its header is "
            f"{', '.join(header) or '(empty)'}; the {table.name} table needs "
            f"{', '.join(table.column_names)} (see docs/ledger.md)"
        )
    n = len(next(iter(columns.values()))) if columns else 0
    arrays = [
        columns[name] if name in columns else pa.nulls(n, pa.string())
        for name in table.column_names
    ]
    ignored = tuple(h for h in header if h not in table.column_names)
    absent = tuple(name for name in table.column_names if name not in header)
    return pa.Table.from_arrays(arrays, names=list(table.column_names)), ignored, absent


#: A file's bytes: mapped from the file where it has any (a usage export is gigabytes).
Raw = bytes | mmap.mmap


def _map(path: Path) -> Raw:
    """The file's bytes, mapped rather than copied into memory."""
    if path.stat().st_size == 0:
        return b""
    with path.open("rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _read_header(path: Path, raw: Raw) -> list[str]:
    if re.search(rb"\S", raw) is None:  # only white space (found without copying the file)
        raise UnreadableFileError(f"{path.name} is empty: it needs at least a header row")
    end = raw.find(b"\n")
    first_line = raw[: end if end >= 0 else len(raw)].rstrip(b"\r")
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"{path.name} row 1 (the header) is not UTF-8 text; save the file as UTF-8"
        ) from exc
    return [h.strip() for h in next(csv.reader([text]))]


def _read_csv(path: Path, table: Table) -> RawTable:
    raw = _map(path)
    header = _read_header(path, raw)
    try:
        data, n_invalid = _parse_csv(path, raw, header, pa.string(), use_threads=True)
    except pa.ArrowInvalid as exc:
        if "UTF8" not in str(exc):
            raise
        data, n_invalid = _parse_csv(path, raw, header, pa.binary(), use_threads=True)
    problems: list[RawProblem] = []
    if n_invalid:
        problems = _misshapen_rows(path, raw, header)
    total = data.num_rows + len(problems)
    numbers = np.arange(2, total + 2, dtype=np.int64)
    if problems:  # the rows read are all but the misshapen ones
        numbers = np.setdiff1d(numbers, [p.row for p in problems])
    data = data.append_column(ROW, pa.array(numbers))
    if data.schema.field(0).type == pa.binary():
        data, bad_text = _split_bad_utf8(data)
        problems += bad_text
    columns = {name: data.column(name) for name in header if name in table.column_names}
    conformed, ignored, absent = _conform(path, table, header, columns)
    conformed = conformed.append_column(ROW, data.column(ROW))
    problems.sort(key=lambda p: p.row)
    return RawTable(path, conformed, tuple(problems), ignored, absent)


def _parse_csv(
    path: Path, raw: Raw, header: list[str], value_type: pa.DataType, use_threads: bool
) -> tuple[pa.Table, int]:
    invalid = 0

    def count_invalid(_row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    try:
        data = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(raw)),
            read_options=pacsv.ReadOptions(
                column_names=header, skip_rows=1, use_threads=use_threads
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=_may_quote_newlines(raw), invalid_row_handler=count_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: value_type for h in header}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc):
            raise
        raise UnreadableFileError(f"{path.name} cannot be read as CSV: {exc}") from exc
    return data, invalid


def _may_quote_newlines(raw: Raw) -> bool:
    """Whether a value may hold a line break: only a quoted one can. A file with no quote
    at all is read as one row a line, which Arrow splits into blocks without following
    quotes (a fifth to a third less CPU on the sample's usage)."""
    return raw.find(b'"') >= 0


def _misshapen_rows(path: Path, raw: Raw, header: list[str]) -> list[RawProblem]:
    """Rows with too many or too few fields; reading on one thread gives their numbers."""
    found: list[RawProblem] = []

    def record(row: pacsv.InvalidRow) -> str:
        found.append(
            RawProblem(
                row.number or 0,
                "",
                row.text,
                f"has {row.actual_columns} fields where the header has {row.expected_columns}",
            )
        )
        return "skip"

    pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(raw)),
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, use_threads=False),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=_may_quote_newlines(raw), invalid_row_handler=record
        ),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.binary() for h in header}),
    )
    return found


def _split_bad_utf8(data: pa.Table) -> tuple[pa.Table, list[RawProblem]]:
    """Take out rows holding a value that is not UTF-8 (the slow path, for broken files only)."""
    problems: dict[int, RawProblem] = {}
    rows = data.column(ROW).to_pylist()
    for name in data.column_names:
        if name == ROW:
            continue
        for i, value in enumerate(data.column(name).to_pylist()):
            if i in problems or value is None:
                continue
            try:
                value.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = value[exc.start : exc.start + 1].hex().upper()
                problems[i] = RawProblem(
                    rows[i],
                    name,
                    value.decode("utf-8", "backslashreplace"),
                    f"is not UTF-8 text (byte 0x{bad}); save the file as UTF-8",
                )
    keep = pa.array(~np.isin(np.arange(data.num_rows), list(problems)))
    kept = data.filter(keep)
    strings = [
        kept.column(n) if n == ROW else pc.cast(kept.column(n), pa.string())
        for n in kept.column_names
    ]
    return pa.Table.from_arrays(strings, names=kept.column_names), list(problems.values())


def _read_parquet(path: Path, table: Table) -> RawTable:
    try:
        source = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise UnreadableFileError(f"{path.name} cannot be read as Parquet: {exc}") from exc
    header = source.column_names
    columns = {name: _as_text(source.column(name)) for name in header if name in table.column_names}
    conformed, ignored, absent = _conform(path, table, header, columns)
    rows = pa.array(np.arange(1, source.num_rows + 1, dtype=np.int64))
    return RawTable(path, conformed.append_column(ROW, rows), (), ignored, absent)


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_timestamp(column.type):
        # ISO 8601 with an explicit offset, so validation reads the instant it means.
        unit_tz = column.type.tz or "UTC"
        column = pc.cast(column, pa.timestamp("us", tz=unit_tz))
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S%z")
    if pa.types.is_boolean(column.type):
        return pc.if_else(column, "true", "false")
    return pc.cast(column, pa.string())
