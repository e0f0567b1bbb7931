"""The theme report kept per ledger snapshot, so the desk, the API, ``goodwill themes`` and
the scorecard reuse one fit instead of each fitting the model again.

A report is stored in its snapshot's folder, under ``_themes/``, named by what it was
built from: asof, months and a digest of the pinned-themes file. An ingest writes a new
snapshot (and removes the old one with its reports), so a stored report is never stale:
its snapshot's rows never change. The file is written under a temporary name and renamed,
so a reader finds a whole report or none. A ledger with no snapshot folder (in memory, or
read by Spark at a URL) is fitted each time, as before.

The files are pickles written by goodwill itself into its own data folder (trusted as the
store is); a file that does not load, or was written by another layout of the report
(``LAYOUT``) or another version of goodwill, is built again.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from goodwill import __version__
from goodwill.analytics.themes.pins import read_pins_file
from goodwill.analytics.themes.report import Progress, ThemeReport, theme_report
from goodwill.ledger.folder import MANIFEST
from goodwill.ledger.reader import Ledger

log = logging.getLogger("goodwill.themes")
FOLDER = "_themes"
LAYOUT = 2  # bump when ThemeReport's fields change: older files are then built again
_MEMORY: OrderedDict[Path, ThemeReport] = OrderedDict()  # the last few, by file
_KEEP = 8
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ReportKey:
    """What a report was built from; ``file`` is where it is kept."""

    snapshot: Path
    asof: date
    months: int
    pins: str

    @property
    def file(self) -> Path:
        name = (
            f"report-{__version__}-v{LAYOUT}-{self.asof.isoformat()}-{self.months}m"
            f"-pins-{self.pins}.pickle"
        )
        return self.snapshot / FOLDER / name


def snapshot_of(ledger: Ledger) -> Path | None:
    """The snapshot folder the ledger reads now (None for a ledger with no folder)."""
    if ledger.path == Path() or ledger.con.name != "duckdb":
        return None
    return snapshot_at(ledger.path)


def snapshot_at(ledger_dir: Path) -> Path | None:
    """The snapshot folder ``ledger_dir`` (the data folder's link) points at now."""
    folder = Path(ledger_dir).resolve()
    return folder if (folder / MANIFEST).exists() else None


def report_key(ledger: Ledger, asof: date, months: int, pins_digest: str) -> ReportKey | None:
    snapshot = snapshot_of(ledger)
    return None if snapshot is None else ReportKey(snapshot, asof, months, pins_digest)


def kept_report(key: ReportKey) -> ThemeReport | None:
    """The report stored for ``key``, or None (never built, or not readable)."""
    with _LOCK:
        found = _MEMORY.get(key.file)
        if found is not None:
            _MEMORY.move_to_end(key.file)
            return found
    try:
        with key.file.open("rb") as f:
            report = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a torn or foreign file: build it again
        log.warning("themes: %s does not load (%s); building it again", key.file, exc)
        return None
    if not isinstance(report, ThemeReport):
        return None
    _remember(key, report)
    return report


def keep_report(key: ReportKey, report: ThemeReport) -> None:
    """Store ``report`` for ``key`` atomically (in memory only if the folder is read-only)."""
    _remember(key, report)
    folder = key.file.parent
    try:
        folder.mkdir(exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".report-", dir=folder)
    except OSError as exc:
        log.info("themes: %s is not writable (%s); the report is kept in memory", folder, exc)
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(report, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, key.file)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _remember(key: ReportKey, report: ThemeReport) -> None:
    with _LOCK:
        _MEMORY[key.file] = report
        _MEMORY.move_to_end(key.file)
        while len(_MEMORY) > _KEEP:
            _MEMORY.popitem(last=False)


def cached_report(
    ledger: Ledger,
    asof: date,
    months: int = 12,
    pins_file: Path | None = None,
    progress: Progress | None = None,
) -> ThemeReport:
    """The theme report of the ledger's snapshot: the stored one, or built and stored.

    It is stored only if the ledger still reads the same snapshot once it is built (an
    ingest in between would have mixed two snapshots' rows). Callers in one process that
    ask for the same report at once share one fit.
    """
    pins, digest = read_pins_file(pins_file)
    key = report_key(ledger, asof, months, digest)
    if key is None:
        return theme_report(ledger, asof, months, pins, progress)
    with _building(key):  # a second caller waits for the fit under way, then reads it
        if (found := kept_report(key)) is not None:
            return found
        report = theme_report(ledger, asof, months, pins, progress)
        if snapshot_of(ledger) == key.snapshot:
            keep_report(key, report)
        return report


_BUILDING: dict[ReportKey, threading.Lock] = {}


def _building(key: ReportKey) -> threading.Lock:
    """The lock held while ``key``'s report is fitted in this process."""
    with _LOCK:
        return _BUILDING.setdefault(key, threading.Lock())
