"""One set of figures: the desk's scorecard says what `goodwill scorecard` says."""

from __future__ import annotations

import re
from collections.abc import Iterator
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
