"""The scorecard's Customer perspective: the top themes by customers lost.

Each is a share with its 95% interval: of the answers about the theme written at least
six months before asof, how many writers left within six months. The label names the
theme and the count of customers lost after writing it, so every figure can be traced
to the words on the desk's Where customers fail page. The report is the one kept for the
ledger's snapshot (:mod:`.cache`): the desk, the API and ``goodwill themes`` share its fit.
"""

from __future__ import annotations

from pathlib import Path

from goodwill.analytics.scorecard.figures import Figure
from goodwill.analytics.scorecard.window import Window
from goodwill.analytics.themes.cache import cached_report
from goodwill.domain.stats import Estimate
from goodwill.ledger.reader import Ledger

KEY = "theme_lost_"


def theme_figures(
    ledger: Ledger, window: Window, top: int = 3, pins_file: Path | None = None
) -> list[Figure]:
    """Up to ``top`` figures, the theme with most customers lost first (or one with a reason)."""
    report = cached_report(ledger, window.asof, window.months, pins_file)
    if report.reason:
        return [
            Figure(
                f"{KEY}1",
                "Top theme by customers lost",
                Estimate.missing(report.answers, report.reason),
                "share",
            )
        ]
    return [
        Figure(
            f"{KEY}{rank}",
            f"Left within six months of writing about “{row.label}” ({row.behaviour.customers_lost:,} customers lost)",
            row.behaviour.left_share,
            "share",
        )
        for rank, row in enumerate(report.themes[:top], start=1)
    ]
