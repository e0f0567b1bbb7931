"""``goodwill advise`` in-process, as a user types it, on an ingested ledger."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import goodwill.cli.advise  # noqa: F401  (registers the command)
from goodwill.cli import app
from tests.conftest import GOOD_SOURCE, write_source

runner = CliRunner()
PERIODS = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
USAGE = "subscription_id,period,kind,quantity\n" + "".join(
    f"S1,{p},data_mb,2000\nS3,{p},data_mb,2500\n" for p in PERIODS
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    source = write_source(tmp_path / "source", {**GOOD_SOURCE, "usage": USAGE})
    result = runner.invoke(app, ["ingest", str(source), "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    return tmp_path / "data"


def test_advise_prints_the_summary_and_writes_the_rows(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "advice.csv"
    args = ["advise", "--asof", "2026-11-23", "--data", str(data_dir), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "subscriptions rated 2" in text
    assert "Goodybag 10 → Goodybag 7.50: saves £2.50 a month, £30 a year" in text
    assert "Took" in text
    # The average use reads in words ("data 2.4 GB"), not the ledger's codes ("data_mb").
    assert "average use: data " in text and not re.search(r"[a-z]_(mb|min)\b", text)
    with out.open() as f:
        rows = list(csv.DictReader(f))
    # S3's legacy plan charges 10p a MB beyond 2,000 MB: 2,500 MB cost it £62 a month.
    assert [(r["subscription_id"], r["recommended_plan_id"]) for r in rows] == [
        ("S1", "P-750"),
        ("S3", "P-750"),
    ]


def test_advise_as_json(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["advise", "--asof", "2026-11-23", "--data", str(data_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["subscriptions_rated"], report["advised"]) == (2, 2)
    monthly = 250 + (6200 - 750)
    assert report["totals"] == [
        {
            "currency": "GBP",
            "advised": 2,
            "monthly_saving_minor": monthly,
            "annual_saving_minor": 12 * monthly,
        }
    ]
    assert [r["subscription_id"] for r in report["largest"]] == ["S3", "S1"]
    assert report["largest"][0]["months_considered"] == 6


def test_a_lookback_too_short_for_three_months_rates_nobody(data_dir: Path) -> None:
    args = ["advise", "--asof", "2026-11-23", "--lookback", "2", "--data", str(data_dir), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["subscriptions_rated"] == 0


def test_bad_options_are_clear_errors(data_dir: Path, tmp_path: Path) -> None:
    out = ["advise", "--data", str(data_dir), "--out", str(tmp_path / "advice.xlsx")]
    result = runner.invoke(app, out)
    assert result.exit_code == 1
    assert "write the advice to a .csv or .parquet file" in " ".join(result.output.split())
    result = runner.invoke(app, ["advise", "--data", str(data_dir), "--asof", "23/11/2026"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["advise", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "holds no ledger" in " ".join(result.output.split())
