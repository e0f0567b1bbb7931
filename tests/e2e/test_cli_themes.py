"""``goodwill themes`` in-process, as a user types it, on the ingested sample operator."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from goodwill.cli import app
from goodwill.sample import write_sample

runner = CliRunner()
ASOF = "2026-11-23"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("themes-cli")
    write_sample(root / "source", customers=6_000, months=12, seed=4, asof=dt.date(2026, 11, 23))
    result = runner.invoke(app, ["ingest", str(root / "source"), "--data", str(root / "data")])
    assert result.exit_code == 0, result.output
    return root / "data"


def test_table_lists_themes_by_customers_lost_with_a_verbatim(data_dir: Path) -> None:
    result = runner.invoke(app, ["themes", "--asof", ASOF, "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Where customers fail as of 2026-11-23" in text
    assert "not scores of the tickets" in text and "CSAT" in text
    assert "Themes, by customers lost" in text
    assert "within six months" in text and "“" in text


def test_json_holds_every_theme_with_its_intervals(data_dir: Path) -> None:
    result = runner.invoke(app, ["themes", "--asof", ASOF, "--months", "24", "--format", "json",
                                 "--data", str(data_dir)])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["asof"] == ASOF and report["months"] == 24 and report["reason"] is None
    themes = report["themes"]
    assert 4 <= len(themes) <= 8
    lost = [t["behaviour"]["customers_lost"] for t in themes]
    assert lost == sorted(lost, reverse=True)
    for t in themes:
        rr = t["behaviour"]["churn_risk_ratio"]
        assert rr["ci_low"] <= rr["value"] <= rr["ci_high"]
        assert len(t["behaviour"]["trend"]) == 24
    categories = report["ticket_categories"]
    source = pd.read_csv(data_dir.parent / "source" / "tickets.csv")
    assert report["ticket_reason"] is None
    assert {c["category"] for c in categories} == set(source["category"])
    assert "not scores of the tickets" in report["ticket_scores_are"]
    for c in categories:
        assert c["behaviour"]["customers"] > 0 and len(c["behaviour"]["trend"]) == 24
        for score in ("nps", "csat"):  # the scores the category's customers gave
            e = c["behaviour"][score]
            assert e["n"] > 0 and e["ci_low"] <= e["value"] <= e["ci_high"]
        assert "opened a ticket about" in c["verdict"]
        assert t["verbatims"] and all(v["customer_id"].startswith("C") for v in t["verbatims"])


def test_html_is_one_file_with_the_charts(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "themes.html"
    result = runner.invoke(app, ["themes", "--asof", ASOF, "--format", "html", "--out", str(out),
                                 "--data", str(data_dir)])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Plotly.newPlot('themes-lost'" in page and "Plotly.newPlot('themes-trend'" in page
    assert "https://" not in page.split("<body>")[1]  # nothing fetched from elsewhere
    assert "risk ratio" in page and "<th>CSAT</th>" in page and "not scores of the tickets" in page


def test_pinned_themes_name_the_themes(data_dir: Path, tmp_path: Path) -> None:
    pins = tmp_path / "pins.toml"
    pins.write_text(
        '[themes]\n"Late SIM" = ["sim delivery", "late"]\n"Slow data" = ["slow data"]\n'
    )
    result = runner.invoke(app, ["themes", "--asof", ASOF, "--format", "json", "--pins", str(pins),
                                 "--data", str(data_dir)])  # fmt: skip
    assert result.exit_code == 0, result.output
    labels = {t["label"]: t["pinned"] for t in json.loads(result.output)["themes"]}
    assert labels["Late SIM"] is True and labels["Slow data"] is True


def test_a_bad_pins_file_and_a_bad_format_are_clear_errors(data_dir: Path, tmp_path: Path) -> None:
    pins = tmp_path / "bad.toml"
    pins.write_text("[themes]\nlate = 'sim'\n")
    result = runner.invoke(app, ["themes", "--pins", str(pins), "--data", str(data_dir)])
    assert result.exit_code == 1 and "theme 'late' needs a list of seed terms" in result.output
    result = runner.invoke(app, ["themes", "--format", "pdf", "--data", str(data_dir)])
    assert result.exit_code == 1 and "choose one of table, json, html" in result.output


def test_a_window_with_no_answers_says_so(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["themes", "--asof", "2000-01-01", "--format", "json", "--data", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "no answers to read" in json.loads(result.output)["reason"]


def test_the_tables_keep_every_name_and_heading_whole_at_80_columns(data_dir: Path) -> None:
    from goodwill.analytics.themes.cache import cached_report
    from goodwill.cli.app import console
    from goodwill.cli.themes_table import render_themes
    from goodwill.ledger.reader import open_ledger

    report = cached_report(open_ledger(data_dir / "ledger"), dt.date(2026, 11, 23), 12)
    width = console.width
    console.width = 80
    try:
        with console.capture() as captured:
            render_themes(report)
    finally:
        console.width = width
    text = captured.get()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    lines = text.splitlines()
    for name in [t.label for t in report.themes] + [c.category for c in report.ticket_categories]:
        assert any(line.startswith(f" {name} ") for line in lines), name  # a row of its own
    for heading in ("customers", "lost", "risk ratio", "NPS", "CSAT", "complained", "promise"):
        assert heading in text
    first = report.themes[0].behaviour
    assert f"({first.churn_risk_ratio.ci_low:.2f}-{first.churn_risk_ratio.ci_high:.2f})" in text
    assert "not scores of the tickets" in " ".join(text.split())
