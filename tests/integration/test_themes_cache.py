"""The theme report kept per ledger snapshot: stored whole, read back equal, keyed by what
it was built from, never stale after a re-ingest, rebuilt from a torn file."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from goodwill.analytics.themes import cache
from goodwill.analytics.themes.report import theme_report
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.settings import Settings

ASOF = dt.date(2026, 11, 23)


@pytest.fixture
def data(good_source: Path, tmp_path: Path) -> Iterator[Path]:
    ingest(good_source, Settings(data_dir=tmp_path / "data"))
    cache._MEMORY.clear()
    yield tmp_path / "data"
    cache._MEMORY.clear()


def _ledger(data: Path) -> Ledger:
    return open_ledger(data / "ledger")


def _kept(data: Path) -> list[Path]:
    return sorted(((data / "ledger").resolve() / cache.FOLDER).glob("*"))


def test_a_report_is_kept_in_its_snapshot_and_read_back_equal(data: Path) -> None:
    built = cache.cached_report(_ledger(data), ASOF, 12)
    assert built == theme_report(_ledger(data), ASOF, 12)
    [kept] = _kept(data)
    assert kept.name == f"report-0.1.0-v{cache.LAYOUT}-2026-11-23-12m-pins-none.pickle"
    assert cache.cached_report(_ledger(data), ASOF, 12) is built  # this process: no reading
    cache._MEMORY.clear()
    again = cache.cached_report(_ledger(data), ASOF, 12)
    assert again == built and again is not built  # another process: read from the file
    assert _kept(data) == [kept]


def test_each_asof_months_and_pins_file_has_a_report_of_its_own(data: Path, tmp_path: Path) -> None:
    pins = tmp_path / "pins.toml"
    pins.write_text('[themes]\n"Slow data" = ["slow data"]\n')
    cache.cached_report(_ledger(data), ASOF, 12)
    cache.cached_report(_ledger(data), ASOF, 6)
    cache.cached_report(_ledger(data), ASOF + dt.timedelta(days=1), 12)
    cache.cached_report(_ledger(data), ASOF, 12, pins)
    pins.write_text('[themes]\n"Slow data" = ["slow data", "buffering"]\n')
    cache.cached_report(_ledger(data), ASOF, 12, pins)
    names = [p.name for p in _kept(data)]
    assert len(names) == 5 and len({n.split("-pins-")[1] for n in names}) == 3


def test_a_re_ingest_makes_a_snapshot_with_no_report_kept(data: Path, good_source: Path) -> None:
    cache.cached_report(_ledger(data), ASOF, 12)
    old = (data / "ledger").resolve()
    ingest(good_source, Settings(data_dir=data))
    assert not old.exists()  # the old snapshot went, its report with it
    key = cache.report_key(_ledger(data), ASOF, 12, "none")
    assert key is not None and key.snapshot != old and cache.kept_report(key) is None


def test_a_report_built_while_the_ledger_was_re_ingested_is_not_kept(
    data: Path, good_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ingest_meanwhile(*args: object, **kwargs: object) -> object:
        report = theme_report(*args, **kwargs)  # type: ignore[arg-type]
        ingest(good_source, Settings(data_dir=data))
        return report

    monkeypatch.setattr(cache, "theme_report", ingest_meanwhile)
    ledger = _ledger(data)
    cache.cached_report(ledger, ASOF, 12)
    assert not cache._MEMORY and _kept(data) == []  # kept nowhere, under no snapshot
    key = cache.report_key(ledger, ASOF, 12, "none")
    assert key is not None and cache.kept_report(key) is None


def test_a_torn_file_is_built_again(data: Path, caplog: pytest.LogCaptureFixture) -> None:
    built = cache.cached_report(_ledger(data), ASOF, 12)
    [kept] = _kept(data)
    kept.write_bytes(kept.read_bytes()[:20])
    cache._MEMORY.clear()
    with caplog.at_level(logging.WARNING, logger="goodwill.themes"):
        again = cache.cached_report(_ledger(data), ASOF, 12)
    assert again == built and "does not load" in caplog.text
    assert cache.kept_report(cache.ReportKey(kept.parent.parent, ASOF, 12, "none")) == built


def test_a_ledger_in_memory_is_fitted_each_time(data: Path) -> None:
    from goodwill.ledger.reader import ledger_from_frames

    ledger = ledger_from_frames({})
    assert cache.snapshot_of(ledger) is None
    assert cache.cached_report(ledger, ASOF, 12).reason is not None
    assert not cache._MEMORY


def test_the_scorecard_reads_the_themes_of_the_settings_pins_file(
    data: Path, tmp_path: Path
) -> None:
    """The scorecard's top themes are the desk's: one fit, with the operator's pins."""
    from goodwill.analytics.scorecard import build_scorecard

    pins = tmp_path / "pins.toml"
    pins.write_text('[themes]\n"Slow data" = ["slow data"]\n')
    settings = Settings(data_dir=data, themes_pins_file=pins)
    build_scorecard(_ledger(data), ASOF, settings, with_advice=False)
    [kept] = _kept(data)
    assert "-pins-none" not in kept.name
    assert cache.cached_report(_ledger(data), ASOF, 12, pins) is not None
    assert _kept(data) == [kept]
