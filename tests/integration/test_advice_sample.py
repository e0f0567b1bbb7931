"""Advice on the sample operator finds the overpaying lines the generator says it made."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from goodwill.analytics.advice import plan_advice
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings

ASOF = date(2026, 11, 23)


def test_advised_share_lands_within_5_points_of_the_generators_overpaying_share(
    tmp_path: Path,
) -> None:
    """The oracle is the generator's truth.json (``overpaying_share``), measured on its own arrays."""
    write_sample(tmp_path / "source", customers=3_000, months=8, seed=11, asof=ASOF)
    settings = Settings(data_dir=tmp_path / "data")
    ingest(tmp_path / "source", settings)
    advice = plan_advice(open_ledger(settings.ledger_dir), ASOF, settings, advised_only=False)
    counts = advice.aggregate(rated=advice.count(), advised=advice.advised.sum()).execute()
    share = counts["advised"][0] / counts["rated"][0]
    truth = json.loads((tmp_path / "source" / "truth.json").read_text())["overpaying_share"]
    assert counts["rated"][0] > 1_000
    assert abs(share - truth) <= 0.05, f"advised {share:.1%}, truth {truth:.1%}"
