"""The README's performance section is the benchmarks' own report, not a copy that drifts."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[2]
BEGIN, END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"


def test_the_readme_includes_the_latest_benchmark_report() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    report = (ROOT / "benchmarks" / "results" / "RESULTS.md").read_text(encoding="utf-8")
    assert readme.count(BEGIN) == readme.count(END) == 1
    included = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    assert included == f"\n{report}", "run `make bench` (or copy RESULTS.md between the markers)"


def test_every_engine_in_the_report_gave_the_same_advice() -> None:
    report = (ROOT / "benchmarks" / "results" / "RESULTS.md").read_text(encoding="utf-8")
    rows = [line for line in report.splitlines() if line.startswith("| ") and " s |" in line]
    assert rows, "the report has no timed rows"
    assert "| NO |" not in report
