"""The care run's table in an 80-column terminal keeps every moment's full name."""

from __future__ import annotations

from collections import Counter
from datetime import date

from goodwill.cli.app import console
from goodwill.cli.run import render_run
from goodwill.services.care_run import CareRunReport

KINDS = ("slow_first_response", "repeated_failures", "annual_best_tariff", "better_plan")


def test_an_80_column_table_shows_full_detector_names() -> None:
    found = Counter({kind: 12_345 for kind in KINDS})
    outcomes = Counter({(kind, "suppressed"): 1_234 for kind in KINDS})
    report = CareRunReport(date(2026, 12, 2), None, True, found, outcomes)
    width = console.width
    console.width = 80
    try:
        with console.capture() as captured:
            render_run(report)
    finally:
        console.width = width
    text = captured.get()
    assert all(kind in text for kind in KINDS), text
    assert "…" not in text and "12,345" in text.replace("\n", "")
    assert all(outcome in text for outcome in ("withheld", "suppressed", "deferred")), text
