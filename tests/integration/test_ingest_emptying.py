"""Ingest never empties a table or a column silently (finding 3 of issue 15).

customers.csv without its email column used to ingest with exit 0 and no word, leaving
every email empty; a header-only feedback.csv replaced a full table with nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodwill.cli import app
from goodwill.errors import ConfigError, EmptyTableError
from goodwill.ledger.ingest import ingest
from goodwill.settings import Settings
from tests.conftest import GOOD_SOURCE, write_source

runner = CliRunner()
FEEDBACK = """\
customer_id,at,kind,score,text
C1,2026-02-01T10:00:00Z,nps,9,Lovely
C2,2026-02-02T10:00:00Z,nps,3,
"""
WITH_FEEDBACK = {**GOOD_SOURCE, "feedback": FEEDBACK}


def _without_column(csv: str, column: str) -> str:
    rows = [line.split(",") for line in csv.splitlines()]
    at = rows[0].index(column)
    return "\n".join(",".join(r[:at] + r[at + 1 :]) for r in rows) + "\n"


def _rows(settings: Settings) -> dict[str, int]:
    manifest = json.loads((settings.ledger_dir / "_manifest.json").read_text())
    rows: dict[str, int] = manifest["rows"]
    return rows


def test_a_missing_optional_column_warns_naming_file_and_column(tmp_path: Path) -> None:
    customers = _without_column(GOOD_SOURCE["customers"], "email")
    source = write_source(tmp_path / "src", {**GOOD_SOURCE, "customers": customers})
    result = runner.invoke(app, ["ingest", str(source), "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "warning: customers.csv has no column email" in said
    assert "every customers row has email empty in the ledger" in said


def test_the_report_lists_the_warnings(tmp_path: Path) -> None:
    without_locale = _without_column(GOOD_SOURCE["customers"], "locale")
    source = write_source(tmp_path / "src", {**GOOD_SOURCE, "customers": without_locale})
    report = ingest(source, Settings(data_dir=tmp_path / "data"))
    assert [w for w in report.warnings if w.startswith("customers.csv")] == [
        "customers.csv has no column locale: it is optional, so ingest went on, but every "
        "customers row has locale empty in the ledger now; add the column to the export if "
        "that is not what you meant"
    ]


def test_a_header_only_file_does_not_replace_a_full_table(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    ingest(write_source(tmp_path / "day1", WITH_FEEDBACK), settings)
    header_only = {**WITH_FEEDBACK, "feedback": FEEDBACK.splitlines()[0] + "\n"}
    day2 = write_source(tmp_path / "day2", header_only)
    with pytest.raises(EmptyTableError) as refused:
        ingest(day2, settings)
    assert str(refused.value).startswith(
        "feedback.csv has no rows, but the ledger's feedback table"
    )
    assert "has 2; ingesting would empty it" in str(refused.value)
    assert "--allow-empty feedback" in str(refused.value)
    assert _rows(settings)["feedback"] == 2  # the ledger was not changed

    ingest(day2, settings, allow_empty=["feedback"])
    assert _rows(settings)["feedback"] == 0


def test_a_file_gone_from_the_source_does_not_empty_its_table(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    ingest(write_source(tmp_path / "day1", WITH_FEEDBACK), settings)
    with pytest.raises(EmptyTableError, match=r"the source folder has no feedback\.csv"):
        ingest(write_source(tmp_path / "day2", GOOD_SOURCE), settings)
    assert _rows(settings)["feedback"] == 2


def test_a_first_ingest_may_have_empty_tables(tmp_path: Path) -> None:
    header_only = {**WITH_FEEDBACK, "feedback": FEEDBACK.splitlines()[0] + "\n"}
    settings = Settings(data_dir=tmp_path / "data")
    ingest(write_source(tmp_path / "src", header_only), settings)
    assert _rows(settings)["feedback"] == 0


def test_allow_empty_on_the_command_line(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    day1 = write_source(tmp_path / "day1", WITH_FEEDBACK)
    assert runner.invoke(app, ["ingest", str(day1), "--data", data]).exit_code == 0
    day2 = write_source(
        tmp_path / "day2", {**WITH_FEEDBACK, "feedback": "customer_id,at,kind,score\n"}
    )
    refused = runner.invoke(app, ["ingest", str(day2), "--data", data])
    assert refused.exit_code == 1
    assert "--allow-empty feedback" in " ".join(refused.output.split())
    allowed = runner.invoke(app, ["ingest", str(day2), "--data", data, "--allow-empty", "feedback"])
    assert allowed.exit_code == 0, allowed.output


def test_allow_empty_names_a_table_of_the_contract(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="there is no table 'feedbak'; choose one of plans"):
        ingest(
            write_source(tmp_path / "src", GOOD_SOURCE),
            Settings(data_dir=tmp_path / "data"),
            allow_empty=["feedbak"],
        )
