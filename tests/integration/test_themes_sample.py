"""Themes on the sample operator, judged against truth.json: the true themes are found,
each theme's churn risk ratio covers the truth, and a theme with no effect is called
significant no more often than the 5% error rate."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goodwill.analytics.engine import open_ledger_for
from goodwill.analytics.scorecard.window import Window
from goodwill.analytics.themes import ThemeReport, theme_report
from goodwill.analytics.themes.behaviour import outcomes
from goodwill.domain.stats import risk_ratio
from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.settings import Settings

ASOF = dt.date(2026, 11, 23)
ALL_HISTORY = 120  # months: truth.json's ratios are over every answer followed for six months


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    root = tmp_path_factory.mktemp("themes")
    write_sample(root / "source", customers=20_000, months=12, seed=8, asof=ASOF)
    settings = Settings(data_dir=root / "data")
    ingest(root / "source", settings)
    truth = json.loads((root / "source" / "truth.json").read_text())["feedback_themes"]
    return settings, truth


@pytest.fixture(scope="module")
def report(sample: tuple[Settings, dict[str, Any]]) -> ThemeReport:
    settings, _ = sample
    return theme_report(open_ledger_for(settings), ASOF, months=ALL_HISTORY)


def _by_truth(report: ThemeReport, truth: dict[str, Any]) -> dict[str, Any]:
    """Each true theme's found theme: the one whose label shares the true theme's key word."""
    keys = {"data_slow": "data", "bill_higher": "bill", "roaming_charge": "roaming",
            "delivery_late": "sim", "agent_kind": "agent", "switching_easy": "easy"}  # fmt: skip
    found = {
        name: [t for t in report.themes if keys[name] in t.label.split(" · ")]
        for name in truth["themes"]
    }
    assert all(len(v) == 1 for v in found.values()), {
        k: [t.label for t in v] for k, v in found.items()
    }
    return {name: v[0] for name, v in found.items()}


def test_the_report_finds_the_six_themes_sorted_by_customers_lost(
    report: ThemeReport, sample: tuple[Settings, dict[str, Any]]
) -> None:
    _, truth = sample
    assert report.reason is None
    assert len(report.themes) == len(truth["themes"])
    lost = [t.behaviour.customers_lost for t in report.themes]
    assert lost == sorted(lost, reverse=True) and lost[0] > 0
    assert report.answers == truth["answers_with_text"]
    _by_truth(report, truth)


def test_each_theme_churn_risk_ratio_covers_the_truth(
    report: ThemeReport, sample: tuple[Settings, dict[str, Any]]
) -> None:
    _, truth = sample
    for name, row in _by_truth(report, truth).items():
        true_rr = truth["themes"][name]["churn_risk_ratio"]
        rr = row.behaviour.churn_risk_ratio
        assert rr.covers(true_rr), (
            f"{name}: truth {true_rr:.2f} outside {rr.ci_low:.2f}-{rr.ci_high:.2f}"
        )


def test_themes_with_a_strong_effect_are_called_so_in_plain_words(
    report: ThemeReport, sample: tuple[Settings, dict[str, Any]]
) -> None:
    _, truth = sample
    found = _by_truth(report, truth)
    assert "left more often" in found["data_slow"].verdict
    assert "stayed more often" in found["agent_kind"].verdict
    for row in report.themes:
        rr = row.behaviour.churn_risk_ratio
        if rr.covers(1.0):
            assert row.verdict.startswith("No clear difference"), row.verdict
            assert "includes no difference" in row.verdict


def test_a_theme_with_no_effect_is_significant_at_most_at_the_error_rate(
    report: ThemeReport, sample: tuple[Settings, dict[str, Any]]
) -> None:
    """On the sample's real answers and leavers, 400 seeded draws of a theme with no effect
    (each answer about it with chance 12%, as roaming is drawn): its 95% interval excludes 1
    in at most 5% of draws, give or take the binomial error of 400 draws (≤ 8%)."""
    settings, _ = sample
    frame = report.assignment
    assert frame is not None
    from goodwill.analytics.scorecard.window import Window
    from goodwill.analytics.themes.reading import read_answers

    answers = read_answers(open_ledger_for(settings), Window(ASOF, ALL_HISTORY))
    followed, left = outcomes(answers, Window(ASOF, ALL_HISTORY).end)
    outcome = left[followed]
    rng = np.random.Generator(np.random.PCG64(2026))
    significant = 0
    for _ in range(400):
        about = rng.random(len(outcome)) < 0.12
        rr = risk_ratio(int((outcome & about).sum()), int(about.sum()),
                        int((outcome & ~about).sum()), int((~about).sum()))  # fmt: skip
        significant += not rr.covers(1.0)
    assert significant / 400 <= 0.08


def test_every_verbatim_is_a_real_answer_of_its_theme(report: ThemeReport) -> None:
    frame = report.assignment
    assert frame is not None
    for row in report.themes:
        assert row.verbatims
        for v in row.verbatims:
            match = frame[(frame["customer_id"] == v.customer_id) & (frame["text"] == v.text)]
            assert len(match) >= 1 and (match["theme"] == row.index).any()


def test_the_scorecard_shows_the_top_themes_by_customers_lost(
    report: ThemeReport, sample: tuple[Settings, dict[str, Any]]
) -> None:
    from goodwill.analytics.scorecard.figures import Perspective, Scorecard
    from goodwill.analytics.scorecard.window import Window
    from goodwill.analytics.themes.scorecard import theme_figures
    from goodwill.reports import scorecard_html

    settings, _ = sample
    figures = theme_figures(open_ledger_for(settings), Window(ASOF, ALL_HISTORY))
    assert [f.key for f in figures] == ["theme_lost_1", "theme_lost_2", "theme_lost_3"]
    for figure, row in zip(figures, report.themes, strict=False):
        assert (
            row.label in figure.label
            and f"{row.behaviour.customers_lost:,} customers lost" in figure.label
        )
        assert figure.estimate == row.behaviour.left_share
    card = Scorecard(ASOF, "GBP", (Perspective("customer", tuple(figures), "reading"),))
    page = scorecard_html(card)
    assert "Plotly.newPlot('plot-customer-themes'" in page
    assert report.themes[0].label in page


def test_no_answers_gives_the_scorecard_a_reason(sample: tuple[Settings, dict[str, Any]]) -> None:
    from goodwill.analytics.scorecard.window import Window
    from goodwill.analytics.themes.figures import scorecard_themes_figure
    from goodwill.analytics.themes.scorecard import theme_figures

    settings, _ = sample
    figures = theme_figures(open_ledger_for(settings), Window(dt.date(2001, 1, 1), 12))
    assert (
        len(figures) == 1
        and figures[0].estimate.reason
        and "no answers" in figures[0].estimate.reason
    )
    assert scorecard_themes_figure(figures) is None


def test_ticket_categories_are_a_second_list_counted_as_pandas_counts_them(
    report: ThemeReport, sample: tuple[Settings, dict[str, Any]]
) -> None:
    settings, _ = sample
    tickets = open_ledger_for(settings).table("tickets").to_pandas()
    opened = pd.to_datetime(tickets["opened_at"], utc=True)
    start = pd.Timestamp(Window(ASOF, ALL_HISTORY).start)
    inside = tickets[(opened >= start) & (opened < pd.Timestamp(ASOF, tz="UTC"))]
    expected = inside.groupby("category")["customer_id"].nunique().to_dict()
    assert report.ticket_reason is None and len(expected) >= 2
    found = {c.category: c.behaviour.customers for c in report.ticket_categories}
    assert found == expected
    tickets_per = inside.groupby("category").size().to_dict()
    assert {c.category: c.behaviour.answers for c in report.ticket_categories} == tickets_per
    lost = [c.behaviour.customers_lost for c in report.ticket_categories]
    assert lost == sorted(lost, reverse=True)
    for c in report.ticket_categories:
        rr = c.behaviour.churn_risk_ratio
        assert rr.ok and rr.ci_low is not None and rr.ci_high is not None
        assert rr.ci_low <= (rr.value or 0.0) <= rr.ci_high
        assert f"opened a ticket about “{c.category}”" in c.verdict
        mine = inside[inside["category"] == c.category]
        month = pd.to_datetime(mine["opened_at"], utc=True).dt.strftime("%Y-%m")
        per_month = mine.assign(month=month).groupby("month")["customer_id"].nunique()
        assert dict(c.behaviour.trend) == {p: int(per_month.get(p, 0)) for p in report.periods}
    assert (
        report.as_dict()["ticket_categories"][0]["category"] == report.ticket_categories[0].category
    )
