"""Themes on the sample operator, judged against truth.json: the true themes are found,
each theme's churn risk ratio covers the truth, and a theme with no effect is called
significant no more often than the 5% error rate, over fresh samples."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from goodwill.analytics.engine import open_ledger_for
from goodwill.analytics.scorecard.window import Window
from goodwill.analytics.themes import ThemeReport, theme_report
from goodwill.analytics.themes.behaviour import behaviour
from goodwill.analytics.themes.reading import read_answers
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import ledger_from_frames
from goodwill.sample import generate_sample, tables, write_sample
from goodwill.sample.feedback_phrases import THEMES
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


def test_a_theme_with_no_effect_is_significant_at_most_at_the_error_rate() -> None:
    """Fresh samples, each from its own seed: the generator draws its two themes without a
    churn effect (roaming, switching: a fixed share, whatever happened) and the report's own
    reading and statistics (read_answers, behaviour, domain.stats) judge them on the true
    themes. A 95% interval excludes 1 for a theme with no effect 5% of the time (the stated
    error rate); with 2 x DRAWS judgements, the share may exceed it by the binomial margin
    (2.33 standard errors: one run in a hundred would pass it by chance), never more."""
    null = [k for k, t in enumerate(THEMES) if t.fixed_share is not None]
    assert [THEMES[k].name for k in null] == ["roaming_charge", "switching_easy"]
    window = Window(ASOF, ALL_HISTORY)
    significant = judged = 0
    for seed in range(NULL_SEED, NULL_SEED + NULL_DRAWS):
        frame, theme = _fresh_answers(seed, window)
        for k in null:
            rr = behaviour(frame, theme, k, window.periods, window.end).churn_risk_ratio
            assert rr.ok, rr.reason
            significant += not rr.covers(1.0)
            judged += 1
    margin = 2.33 * math.sqrt(ERROR_RATE * (1 - ERROR_RATE) / judged)
    assert significant / judged <= ERROR_RATE + margin, (significant, judged)


ERROR_RATE = 0.05  # two-sided, 95% intervals (README: "Where customers fail")
NULL_DRAWS = 100  # fresh samples of NULL_CUSTOMERS each; two null themes judged in each
NULL_CUSTOMERS = 3_000
NULL_SEED = 5_000


def _fresh_answers(seed: int, window: Window) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """A fresh sample held in memory, read as the report reads it, and each answer's true
    theme (the generator's draw, matched on who wrote what when)."""
    s = generate_sample(NULL_CUSTOMERS, 12, seed, ASOF)
    cids = tables.customer_ids(s)
    feedback = tables.feedback(s, cids)
    ledger = ledger_from_frames({"customers": tables.customers(s, cids), "feedback": feedback,
                                 "tickets": tables.tickets(s, cids),
                                 "promises": tables.promises(s, cids)})  # fmt: skip
    frame = read_answers(ledger, window)
    ledger.con.disconnect()
    truth = feedback.to_pandas().assign(theme=s.texts.theme)
    truth = truth[truth["theme"] >= 0].assign(at=lambda t: pd.to_datetime(t["at"], utc=True))
    keys = ["customer_id", "at", "text"]
    matched = frame[keys].merge(truth[[*keys, "theme"]], on=keys, how="left", validate="1:1")
    assert len(matched) == len(frame) and matched["theme"].notna().all()
    return frame, matched["theme"].to_numpy(np.int64)


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


def test_each_ticket_category_has_the_nps_and_csat_its_customers_gave(
    report: ThemeReport, sample: tuple[Settings, dict[str, Any]]
) -> None:
    """Counted again with pandas from the ledger's own tables: the scores (any survey answer
    inside the window) of the customers who opened a ticket of the category in it."""
    settings, _ = sample
    ledger = open_ledger_for(settings)
    window = Window(ASOF, ALL_HISTORY)
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)

    def inside(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        at = pd.to_datetime(frame[column], utc=True)
        return frame[(at >= start) & (at < end)]

    tickets = inside(ledger.table("tickets").to_pandas(), "opened_at")
    feedback = inside(ledger.table("feedback").to_pandas(), "at")
    assert "not scores of the tickets" in report.ticket_scores_are
    assert report.as_dict()["ticket_scores_are"] == report.ticket_scores_are
    for c in report.ticket_categories:
        who = set(tickets.loc[tickets["category"] == c.category, "customer_id"])
        theirs = feedback[feedback["customer_id"].isin(who)]
        nps = theirs.loc[theirs["kind"] == "nps", "score"]
        csat = theirs.loc[theirs["kind"] == "csat", "score"]
        expected_nps = 100 * ((nps >= 9).mean() - (nps <= 6).mean())
        assert c.behaviour.nps.n == len(nps) > 0 and c.behaviour.csat.n == len(csat) > 0
        assert c.behaviour.nps.value == pytest.approx(expected_nps)
        assert c.behaviour.csat.value == pytest.approx((csat >= 4).mean())
        for e in (c.behaviour.nps, c.behaviour.csat):
            assert e.ci_low is not None and e.ci_high is not None
            assert e.ci_low < (e.value or 0.0) < e.ci_high
