"""The scorecard report: curves that stop where the data does, a few cohorts, lifts with
their intervals, one line for gifts too new to measure, and Plotly once."""

from __future__ import annotations

from datetime import date

from goodwill.analytics.scorecard.figures import Curve, Lift, Perspective, Scorecard
from goodwill.domain.stats.survival import KaplanMeier, SurvivalPoint
from goodwill.reports.scorecard_html import MIN_AT_RISK, scorecard_html, shown_curves


def _km(n: int, at_risk: list[int]) -> KaplanMeier:
    points, s = [], 1.0
    for month, r in enumerate(at_risk, start=1):
        s *= 0.5 if r < MIN_AT_RISK else 0.98  # the tail: one leaver halves the curve
        points.append(SurvivalPoint(float(month), r, 1, s, s - 0.05, s + 0.05))
    return KaplanMeier(n, tuple(points), followed_until=float(len(at_risk)))


def _perspective_with_13_cohorts() -> Perspective:
    cohorts = [Curve(f"2025-{m:02d}", _km(60, [50, 40, 30, 8, 2])) for m in range(1, 13)]
    return Perspective(
        "customer", (), "", (Curve("all customers", _km(700, [600, 500, 9])), *cohorts)
    )


def test_curves_stop_where_too_few_are_followed_and_only_a_few_cohorts_are_drawn() -> None:
    shown = shown_curves(_perspective_with_13_cohorts())
    assert shown[0]["label"] == "all customers" and len(shown) == 5
    assert shown[-1]["label"] == "2025-12"
    assert all(min(c["survival"]) > 0.9 for c in shown), "no tail of a handful of customers"
    assert [len(c["months"]) for c in shown] == [3] + [4] * 4


def _lift(kind: str, estimate: float | None) -> Lift:
    from goodwill.domain.stats.lift import LiftResult

    if estimate is None:
        result = LiftResult("relative", 0, 120, None, None, None, reason="no customers in one arm")
    else:
        result = LiftResult(
            "relative",
            400,
            3600,
            0.8,
            0.84,
            estimate,
            0.01,
            900.0,
            estimate - 0.02,
            estimate + 0.02,
            0.04,
        )
    return Lift(kind, "retained_90d", result)


def test_lifts_are_plotted_with_intervals_and_unmeasured_gifts_get_one_line() -> None:
    learning = Perspective(
        "learning",
        (),
        "",
        lifts=(
            _lift("broken_promise", 0.05),
            _lift("better_plan", None),
            _lift("annual_best_tariff", None),
        ),
    )
    card = Scorecard(date(2026, 12, 2), "GBP", (_perspective_with_13_cohorts(), learning))
    page = scorecard_html(card)
    assert page.count("* plotly.js v") == 1, "Plotly's code is in the file once"
    assert page.count("<script>") == 1 + page.count("Plotly.newPlot(")
    assert "plot-learning-lifts" in page and '"error_x"' in page
    assert page.count("no customers in one arm") == 0
    assert "Too new to measure yet" in page
    assert "yearly best-plan notices, a cheaper plan." in page or "a cheaper plan, yearly" in page
    assert "broken-promise credits" in page


def test_a_tiny_ledger_still_gets_its_curve() -> None:
    tiny = Perspective("customer", (), "", (Curve("all customers", _km(4, [4, 4, 3])),))
    assert len(shown_curves(tiny)[0]["months"]) == 4
