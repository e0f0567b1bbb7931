"""The desk's theme report built off the request path: one background fit per report at a
time (:func:`start_build`), and :func:`keep_warm`, which ``goodwill serve`` starts so that
the day's report is ready before the first visit asks for it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from goodwill.analytics.themes import ThemeReport
from goodwill.analytics.themes.cache import ReportKey, cached_report, kept_report, snapshot_at
from goodwill.analytics.themes.pins import read_pins_file
from goodwill.ledger.reader import open_ledger
from goodwill.settings import Settings
from goodwill.web.errors import WebError

log = logging.getLogger("goodwill.web")
MONTHS = 12  # the desk's window: the 12 complete months before today
WARM_CHECK_S = 60  # how often keep_warm looks for a new day or a new snapshot


class StillBuilding(WebError):
    status = 503
    title = "Still working it out"

    def __init__(self) -> None:
        super().__init__("The themes are being worked out; try again in a few seconds.")


@dataclass
class Build:
    """One report being built in a thread of its own."""

    since: datetime
    done: threading.Event = field(default_factory=threading.Event)
    report: ThemeReport | None = None
    error: BaseException | None = None


_BUILDS: dict[ReportKey, Build] = {}
_BUILDS_LOCK = threading.Lock()


def forget(key: ReportKey) -> None:
    """Drop ``key``'s finished build (one that failed), so the next visit tries again."""
    with _BUILDS_LOCK:
        _BUILDS.pop(key, None)


def build_report(settings: Settings, asof: date) -> ThemeReport:
    """Build (or find) the desk's report on a ledger connection of its own."""
    ledger = open_ledger(settings.ledger_dir)
    try:
        return cached_report(ledger, asof, MONTHS, settings.themes_pins_file)
    finally:
        ledger.con.disconnect()


def start_build(key: ReportKey, settings: Settings) -> Build:
    """The build of ``key``: the one under way, or one started now in the background."""
    with _BUILDS_LOCK:
        build = _BUILDS.get(key)
        if build is not None:
            return build
        build = _BUILDS[key] = Build(datetime.now(UTC))

    def run() -> None:
        try:
            build.report = build_report(settings, key.asof)
        except BaseException as exc:  # kept for the next visit to show
            log.warning("themes: building the report failed: %s", exc)
            build.error = exc
        finally:
            build.done.set()
            if build.error is None:
                with _BUILDS_LOCK:
                    _BUILDS.pop(key, None)

    # Not a daemon: a process that ends mid-fit waits for it, rather than pull DuckDB's
    # connection from under the thread (which aborts the interpreter at exit).
    threading.Thread(target=run, name="goodwill-themes", daemon=False).start()
    return build


def keep_warm(settings: Settings, clock: Callable[[], datetime] | None = None) -> threading.Thread:
    """A thread that keeps the desk's report of the day built: at start, then whenever the
    day or the ledger's snapshot changes (checked every WARM_CHECK_S), so the first visit
    of a day finds it ready. ``goodwill serve`` starts it."""
    now = clock or (lambda: datetime.now(UTC))

    def run() -> None:
        while True:
            try:
                snapshot = snapshot_at(settings.ledger_dir)
                _, digest = read_pins_file(settings.themes_pins_file)
                key = snapshot and ReportKey(snapshot, now().date(), MONTHS, digest)
                if key and kept_report(key) is None:
                    start_build(key, settings).done.wait()
            except Exception as exc:  # no ledger yet, a bad pins file: look again later
                log.info("themes: not built ahead (%s)", exc)
            threading.Event().wait(WARM_CHECK_S)

    thread = threading.Thread(target=run, name="goodwill-themes-warm", daemon=True)
    thread.start()
    return thread
