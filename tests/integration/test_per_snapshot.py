"""Values read once per ledger snapshot (the my-plan page's plan terms) are read again
after an ingest swaps in a new snapshot, and never kept for a ledger held in memory."""

from __future__ import annotations

from pathlib import Path

from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import open_ledger
from goodwill.ledger.snapshot import PerSnapshot, snapshot_of
from goodwill.settings import Settings
from goodwill.web.views.line_cost import plan_terms
from tests.conftest import GOOD_SOURCE, write_source


def test_plan_terms_follow_a_new_snapshot(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    ingest(write_source(tmp_path / "one", GOOD_SOURCE), settings)
    first = plan_terms(open_ledger(settings.ledger_dir), "P-750")
    assert first is not None and first[0].monthly_fee_minor == 750
    dearer = GOOD_SOURCE["plans"].replace("P-750,Goodybag 7.50,750", "P-750,Goodybag 7.50,790")
    ingest(write_source(tmp_path / "two", {**GOOD_SOURCE, "plans": dearer}), settings)
    again = plan_terms(open_ledger(settings.ledger_dir), "P-750")
    assert again is not None and again[0].monthly_fee_minor == 790


def test_one_value_per_snapshot_and_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    ingest(write_source(tmp_path / "one", GOOD_SOURCE), settings)
    cache: PerSnapshot = PerSnapshot(keep=2)
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    for key in ("a", "a", "b", "a"):
        assert cache.get(settings.ledger_dir, key, lambda k=key: make(k)) == key.upper()
    assert made == ["a", "b"]
    snapshot = snapshot_of(settings.ledger_dir)
    assert snapshot is not None and snapshot.parent.name == "snapshots"
    ingest(write_source(tmp_path / "two", GOOD_SOURCE), settings)
    assert cache.get(settings.ledger_dir, "a", lambda: make("a")) == "A"
    assert made == ["a", "b", "a"]  # a new snapshot reads again
    # A folder that is no snapshot (no manifest) is read every time.
    assert snapshot_of(tmp_path) is None
    cache.get(tmp_path, "a", lambda: make("a"))
    cache.get(tmp_path, "a", lambda: make("a"))
    assert made == ["a", "b", "a", "a", "a"]
