"""``goodwill clv fit`` in-process (the sub-app is registered by cli/__init__.py)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from goodwill.analytics.clv import simulate_gamma_gamma
from goodwill.cli.clv import clv_app

runner = CliRunner()


def _app() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(clv_app, name="clv")
    return root


def test_sbg_fit_as_json_reproduces_the_paper(tmp_path: Path) -> None:
    """Fader & Hardie (2007), "regular" segment: alpha = 0.704, beta = 1.182."""
    csv_path = tmp_path / "regular.csv"
    alive = [100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1]
    csv_path.write_text("year,alive\n" + "".join(f"{t},{v}\n" for t, v in enumerate(alive)))
    result = runner.invoke(
        _app(), ["clv", "fit", "--model", "sbg", "--input", str(csv_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    params = {row["param"]: row["coef"] for row in report["params"]}
    assert round(params["alpha"], 3) == 0.704 and round(params["beta"], 3) == 1.182
    assert len(report["projection"]["alive"]) == 13  # years 0-12


def test_gammagamma_table(tmp_path: Path) -> None:
    x, m = simulate_gamma_gamma(300, 6.25, 3.74, 15.44, seed=1)
    csv_path = tmp_path / "spend.csv"
    rows = "".join(f"{a},{b}\n" for a, b in zip(x, m, strict=True))
    csv_path.write_text("frequency,monetary_value\n" + rows)
    result = runner.invoke(
        _app(), ["clv", "fit", "--model", "gammagamma", "--input", str(csv_path)]
    )
    assert result.exit_code == 0, result.output
    assert "gamma" in result.output and "95% CI" in result.output


def test_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("frequency,recency\n1,2\n")
    result = runner.invoke(_app(), ["clv", "fit", "--model", "bgnbd", "--input", str(csv_path)])
    assert result.exit_code == 1
    assert "missing column(s) T" in result.output


def test_unknown_model(tmp_path: Path) -> None:
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("alive\n1\n")
    result = runner.invoke(_app(), ["clv", "fit", "--model", "pareto", "--input", str(csv_path)])
    assert result.exit_code == 1 and "choose one of" in result.output
