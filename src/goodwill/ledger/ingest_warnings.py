"""What ingest accepts but says out loud: things the contract allows that may not be meant.

- An optional column missing from a file leaves that column empty for every row.
- A time without a zone (``2026-03-14 09:30``) is taken as UTC, as the contract says; if
  the export wrote local times, every such time is off by the UTC offset.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from goodwill.ledger.contract import ColumnType, Table
from goodwill.ledger.sources import ROW, RawTable

#: A time of day with no Z or offset after it.
ZONELESS = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?\s*$"


@dataclass(frozen=True)
class ZonelessTimes:
    """How many values of a timestamp column have a time but no zone, and the first row."""

    column: str
    count: int
    first_row: int


def zoneless_times(table: Table, raw: RawTable) -> tuple[ZonelessTimes, ...]:
    """The timestamp columns of ``raw`` that hold times without a zone."""
    found = []
    for column in table.columns:
        if column.type is not ColumnType.TIMESTAMP:
            continue
        text = raw.data.column(column.name).cast(pa.string())
        matches = pc.fill_null(pc.match_substring_regex(text, ZONELESS), False)
        count = pc.sum(matches.cast(pa.int64())).as_py() or 0
        if count:
            rows = pc.filter(raw.data.column(ROW), matches)
            found.append(ZonelessTimes(column.name, count, int(pc.min(rows).as_py())))
    return tuple(found)


def zoneless_warning(file: str, times: ZonelessTimes) -> str:
    return (
        f"{file}: {times.count:,} {times.column} values have a time but no zone (first: row "
        f"{times.first_row}); they were taken as UTC, as the contract says; write Z or an "
        "offset (+01:00) in the export if they are local times"
    )


def missing_column_warning(file: str, table: str, columns: Collection[str]) -> str:
    """The warning for optional ``columns`` that ``file`` does not have."""
    names = ", ".join(columns)
    return (
        f"{file} has no column {names}: it is optional, so ingest went on, but every "
        f"{table} row has {names} empty in the ledger now; add the column to the export "
        "if that is not what you meant"
    )
