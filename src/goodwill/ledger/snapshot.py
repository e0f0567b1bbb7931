"""Write accepted rows as a new ledger snapshot and swap it in atomically.

``<data>/ledger`` is a symbolic link to a folder under ``<data>/snapshots/``. An ingest
writes a whole new snapshot first and then replaces the link in one ``rename``: a reader
sees the old ledger or the new one, never half of each, and a failed ingest leaves the
old one as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from goodwill.errors import LedgerError
from goodwill.ledger.contract import TABLES, Table
from goodwill.ledger.folder import MANIFEST, table_path

T = TypeVar("T")


def new_snapshot_dir(data_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = data_dir / "snapshots" / f"{stamp}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def write_table(accepted: pa.Table, table: Table, snapshot: Path) -> None:
    """Write the accepted rows (``_row`` and the typed columns, in source row order) as
    Parquet; a partitioned table gets one folder per value, each in row order.

    A partitioned table's rows are filtered out per value, each value's rows in row
    order (one copy of them; a sort and a gather would copy every row twice), and the
    partitions' files written side by side on the cores."""
    columns = [c for c in table.column_names if c != table.partition_by]
    where = table_path(snapshot, table)
    if not table.partition_by:
        _write_parquet(accepted.select(columns), where)
        return
    dictionary, codes = _partition_codes(accepted.column(table.partition_by))
    parts = sorted(
        (value, code) for code, value in enumerate(dictionary.to_pylist()) if value is not None
    )
    selected = accepted.select(columns)

    def write(part: tuple[object, int]) -> None:
        value, code = part
        folder = where / f"{table.partition_by}={value}"
        folder.mkdir(parents=True)
        _write_parquet(selected.filter(pa.array(codes == code)), folder / "part-0.parquet")

    with ThreadPoolExecutor(max_workers=max(1, min(len(parts), os.cpu_count() or 1))) as pool:
        list(pool.map(write, parts))


#: Parquet's dictionary page limit (pyarrow's default) and rows per row group: a column
#: chunk's dictionary bigger than a page is dropped for plain values part way through.
DICTIONARY_PAGE_BYTES = 1 << 20
ROW_GROUP_ROWS = 1 << 20
#: The rows a column's distinct values are counted over, to judge its dictionary.
SAMPLE_ROWS = 1 << 16


def _write_parquet(rows: pa.Table, where: Path) -> None:
    """Write ``rows`` as Parquet (snappy, as before), trying a dictionary only for the
    columns whose distinct values look like they fit one: ids and times, nearly all
    distinct, would only be hashed to fill a dictionary that is then dropped."""
    pq.write_table(
        rows, where, row_group_size=ROW_GROUP_ROWS, use_dictionary=_dictionary_columns(rows)
    )


def _dictionary_columns(rows: pa.Table) -> list[str]:
    """The columns whose distinct values, judged from the first :data:`SAMPLE_ROWS`,
    would fill at most one dictionary page in a row group."""
    group = min(rows.num_rows, ROW_GROUP_ROWS)
    chosen = []
    for name in rows.column_names:
        sample = rows.column(name).slice(0, SAMPLE_ROWS)
        if len(sample):
            distinct = pc.count_distinct(sample, mode="all").as_py()
            per_value = sample.nbytes / len(sample)
            if distinct / len(sample) * group * per_value > DICTIONARY_PAGE_BYTES:
                continue
        chosen.append(name)
    return chosen


def _partition_codes(values: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """The distinct values and each row's index among them (-1: NULL), as the smallest
    integers that hold them."""
    encoded = pc.dictionary_encode(values)
    if not encoded.num_chunks:  # no rows (Arrow drops empty chunks)
        return pa.array([], values.type), np.zeros(0, np.int16)
    dictionary = encoded.chunk(0).dictionary
    dtype = np.int16 if len(dictionary) < 2**15 else np.int64
    codes = [pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False) for c in encoded.chunks]
    return dictionary, np.concatenate(codes).astype(dtype)


def write_manifest(
    snapshot: Path, source_dir: Path, rows: Mapping[str, int], quarantined: Mapping[str, int]
) -> None:
    manifest = {
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(source_dir.resolve()),
        "rows": {t.name: rows.get(t.name, 0) for t in TABLES},
        "quarantined": {t.name: quarantined.get(t.name, 0) for t in TABLES},
    }
    (snapshot / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def swap_in(data_dir: Path, snapshot: Path) -> None:
    """Point ``<data>/ledger`` at ``snapshot`` in one rename, then remove the snapshot it replaced."""
    link = data_dir / "ledger"
    previous = link.resolve() if link.is_symlink() else None
    if link.exists() and not link.is_symlink():
        raise LedgerError(f"{link} is a folder, not a ledger link made by goodwill; move it away")
    temp_link = data_dir / f".ledger-{uuid.uuid4().hex[:8]}"
    os.symlink(snapshot.relative_to(data_dir), temp_link)
    os.replace(temp_link, link)
    if previous is not None and previous != snapshot.resolve() and previous.exists():
        shutil.rmtree(previous)


def replace_folder(target: Path, staged: Path) -> None:
    """Replace ``target`` with ``staged`` (the quarantine of the latest ingest)."""
    if target.exists():
        shutil.rmtree(target)
    staged.rename(target)


def snapshot_of(ledger_path: Path) -> Path | None:
    """The snapshot folder a ledger path stands for (``<data>/ledger`` resolved), or None
    for a ledger with no manifest (held in memory, or not written by ingest)."""
    if ledger_path in _SNAPSHOT_FOLDERS:  # a snapshot folder stands for itself, always
        return ledger_path
    manifest = ledger_path / MANIFEST
    if not manifest.is_file():
        return None
    snapshot = manifest.resolve().parent
    if snapshot == ledger_path:  # no link on the way: remember it (a web request asks often)
        with _SNAPSHOT_LOCK:
            _SNAPSHOT_FOLDERS[snapshot] = None
            while len(_SNAPSHOT_FOLDERS) > 64:
                _SNAPSHOT_FOLDERS.popitem(last=False)
    return snapshot


#: Snapshot folders met before (a folder's name is new with each ingest, so it never
#: comes to stand for another snapshot); ``<data>/ledger`` links are resolved every time.
_SNAPSHOT_FOLDERS: OrderedDict[Path, None] = OrderedDict()
_SNAPSHOT_LOCK = threading.Lock()


class PerSnapshot:
    """Values worked out once per ledger snapshot and reused until an ingest swaps in a
    new one (whose folder is new, so it misses): the catalogue a web request rates
    against, say. Holds the values of the latest few snapshots; safe across threads."""

    def __init__(self, keep: int = 64) -> None:
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def peek(self, ledger_path: Path, key: Hashable, default: Any = None) -> Any:
        """The value kept for ``ledger_path``'s snapshot and ``key``, or ``default``."""
        snapshot = snapshot_of(ledger_path)
        with self._lock:
            return self._values.get((snapshot, key), default) if snapshot else default

    def get(self, ledger_path: Path, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed once per snapshot of ``ledger_path`` and ``key``; computed
        every time for a ledger that is not a snapshot."""
        snapshot = snapshot_of(ledger_path)
        if snapshot is None:
            return make()
        full = (snapshot, key)
        with self._lock:
            if full in self._values:
                self._values.move_to_end(full)
                return cast(T, self._values[full])
        value = make()
        with self._lock:
            self._values[full] = value
            while len(self._values) > self._keep:
                self._values.popitem(last=False)
        return value
