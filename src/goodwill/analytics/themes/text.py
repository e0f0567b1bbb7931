"""Figures of the themes report as short text: shares and ratios with their intervals."""

from __future__ import annotations

from goodwill.domain.stats import Estimate


def share_text(e: Estimate) -> str:
    """``12% (9-15%)``, or the reason there is no share."""
    if e.value is None:
        return e.reason or "-"
    if e.ci_low is None or e.ci_high is None:
        return f"{e.value:.0%}"
    return f"{e.value:.0%} ({e.ci_low:.0%}-{e.ci_high:.0%})"


def ratio_text(e: Estimate) -> str:
    """``1.8 (1.4-2.3)``, or the reason there is no ratio."""
    if e.value is None:
        return e.reason or "-"
    if e.ci_low is None or e.ci_high is None:
        return f"{e.value:.2f}"
    return f"{e.value:.2f} ({e.ci_low:.2f}-{e.ci_high:.2f})"


def nps_text(e: Estimate) -> str:
    """``+12 (+3 to +21)`` in NPS points, or the reason there is no NPS."""
    if e.value is None:
        return e.reason or "-"
    if e.ci_low is None or e.ci_high is None:
        return f"{e.value:+.0f}"
    return f"{e.value:+.0f} ({e.ci_low:+.0f} to {e.ci_high:+.0f})"
