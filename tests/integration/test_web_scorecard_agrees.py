"""One set of figures: the desk's scorecard says what `goodwill scorecard` says."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from typer.testing import CliRunner

import goodwill.cli.scorecard  # noqa: F401  (registers the command)
from goodwill.analytics.scorecard.trends import HEADLINE_KEYS
from goodwill.cli import app
from tests.integration.web_support import (
    AGENT_PASSWORD,
    Web,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_staff,
)


@pytest.fixture
def web(ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path)


def test_the_desk_and_the_cli_show_the_same_figures(web: Web, tmp_path: Path) -> None:
    out = tmp_path / "scorecard.txt"
    args = ["scorecard", "--data", str(web.settings.data_dir), "--out", str(out)]
    result = CliRunner(env={"GOODWILL_STORE_URL": web.settings.store_url}).invoke(app, args)
    assert result.exit_code == 0, result.output
    cli = out.read_text()
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    card = web.client.get("/api/desk/scorecard").json()
    desk = {label: value for p in card["perspectives"] for label, value, _, _ in p["figures"]}
    assert len(desk) == len(re.findall(r" n=[\d,]+$", cli, re.MULTILINE)) > 10
    for label, value in desk.items():
        assert f"\n  {label}: {value} " in cli, (label, value)
    fits = next(v for k, v in desk.items() if "best" in k.lower() and "plan" in k.lower())
    assert fits.endswith("%"), "the best-fit plan share is computed on the desk too"
    page = web.client.get("/desk").text
    assert "plan advice not computed" not in page and fits in page
    report = tmp_path / "scorecard.html"
    args = [*args[:-2], "--format", "html", "--out", str(report)]
    result = CliRunner(env={"GOODWILL_STORE_URL": web.settings.store_url}).invoke(app, args)
    assert result.exit_code == 0, result.output
    html = report.read_text()
    for label, value in desk.items():  # the HTML report says the same, figure by figure
        assert f">{escape(value)}<" in html, (label, value)


def test_the_tiles_show_the_scorecards_figures_with_their_12_month_trends(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    card = web.client.get("/api/desk/scorecard").json()  # waits for the background build
    figures = {label: value for p in card["perspectives"] for label, value, _, _ in p["figures"]}
    tiles = {t["key"]: t for t in card["tiles"]}
    assert list(tiles) == list(HEADLINE_KEYS)
    assert tiles["retention_12m"]["value"] == figures["Still a customer 12 months after joining"]
    assert tiles["promises_kept"]["value"] == figures["Promises kept on time"]
    assert tiles["goodwill_spent"]["value"] == figures["Goodwill given (credits)"]
    for tile in tiles.values():
        months = tile["spark"]["months"]
        assert len(months) in (12, 13), tile["key"]  # the store's figures run to this month
    page = web.client.get("/desk").text
    assert page.count('class="tile"') == len(HEADLINE_KEYS) and "<polyline" in page
    assert "being prepared" not in page


@pytest.fixture
def sample_web(tmp_path: Path) -> Iterator[Web]:
    """The desk over a 300-customer sample operator (NPS answers, bills, a year of use),
    with this month's goodwill budget set."""
    from datetime import UTC, datetime

    from goodwill.domain.periods import period_of
    from goodwill.ledger.ingest import ingest
    from goodwill.sample import write_sample
    from goodwill.settings import Settings
    from goodwill.store import session_factory
    from goodwill.store.budgets import ensure_budget

    today = datetime.now(UTC).date()
    write_sample(tmp_path / "source", customers=300, months=12, seed=7, asof=today)
    ingest(tmp_path / "source", Settings(data_dir=tmp_path / "sample"))
    for web in make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", tmp_path / "sample", tmp_path):
        with session_factory(web.engine).begin() as session:
            ensure_budget(session, "goodwill_gesture", period_of(today), 50_000, "GBP")
        yield web


def test_the_tiles_say_the_nps_interval_the_budget_and_the_savings_offered(
    sample_web: Web,
) -> None:
    web = sample_web
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    tiles = {t["key"]: t for t in web.client.get("/api/desk/scorecard").json()["tiles"]}
    nps = tiles["nps"]
    assert re.fullmatch(r"\[[+-]\d+, [+-]\d+\]", nps["interval"]), nps
    assert nps["says"] == "promoters less detractors, latest answer each"
    assert tiles["goodwill_spent"]["says"] == "of £500 budgeted, this year to date"
    savings = tiles["advice_handed_back"]
    assert (savings["label"], savings["says"]) == (
        "Savings offered",
        "a year, in the plan advice we sent",
    )
    page = web.client.get("/desk").text
    nps_tile = page[page.index('id="tile-nps"') :]
    nps_tile = nps_tile[: nps_tile.index("</li>")]
    assert f"95% interval {nps['interval']}" in nps_tile
    assert "taken up" not in page and "of £500 budgeted" in page
