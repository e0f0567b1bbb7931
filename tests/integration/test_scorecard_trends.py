"""The desk's 12-month trends are the scorecard's own figures, month by month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from goodwill.analytics.scorecard import build_scorecard
from goodwill.analytics.scorecard.trends import headline_trends, retention_at
from goodwill.analytics.scorecard.window import Window
from goodwill.domain.stats import proportion, rate_per
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings

#: The first of a month: the scorecard counts complaints and promises up to the as-of day,
#: so only then do its 12 months hold all it counts.
ASOF = date(2026, 3, 1)


def test_the_monthly_figures_pool_back_to_the_scorecards(tmp_path: Path) -> None:
    """Per month in one pass, yet the same figures: complaints and promises summed over the
    months give the scorecard's own, and retention as of the as-of day is its own."""
    write_sample(tmp_path / "source", customers=400, months=14, seed=5, asof=ASOF)
    settings = Settings(data_dir=tmp_path / "data")
    ingest(tmp_path / "source", settings)
    ledger = open_ledger(settings.ledger_dir)
    card = build_scorecard(ledger, ASOF, settings, with_advice=False)
    window = Window(ASOF)
    trends = headline_trends(ledger, window, None)
    customer, process = card.perspective("customer"), card.perspective("process")

    complaints = trends["complaints_per_1000"].points
    count, people = sum(p.numerator for p in complaints), sum(p.denominator for p in complaints)
    assert count > 0 and people > 0
    assert rate_per(count, people, 1000) == customer.figure("complaints_per_1000").estimate

    kept = trends["promises_kept"].points
    due = sum(p.denominator for p in kept)
    assert due > 0
    assert proportion(sum(p.numerator for p in kept), due) == (
        process.figure("promises_kept").estimate
    )

    retention = trends["retention_12m"].points
    assert [p.period for p in retention] == list(window.periods)
    assert retention_at(ledger.table("customers"), [window.end]) == [
        customer.figure("retention_12m").estimate
    ]
    assert sum(p.denominator for p in trends["nps"].points) > 0
    assert set(trends) == {"retention_12m", "nps", "complaints_per_1000", "promises_kept"}
