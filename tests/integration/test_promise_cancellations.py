"""promises.cancelled_at end to end: validated at ingest, credited by broken_promise, told."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from goodwill.analytics.detectors.base import DetectorContext
from goodwill.analytics.detectors.promises import BrokenPromise
from goodwill.channels.render import render_message
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import open_ledger
from goodwill.services.detect import detect_all
from goodwill.settings import Settings
from tests.conftest import GOOD_SOURCE, write_source

PROMISES = """\
promise_id,customer_id,kind,made_at,due_at,kept_at,cancelled_at
P-EVENING,C1,engineer_appointment,2026-03-02T09:00:00Z,2026-03-12T10:00:00Z,,2026-03-11T19:00:00Z
P-AHEAD,C1,engineer_appointment,2026-03-02T09:00:00Z,2026-03-12T10:00:00Z,,2026-03-11T10:00:00Z
P-KEPT,C2,engineer_appointment,2026-03-02T09:00:00Z,2026-03-12T10:00:00Z,2026-03-12T10:00:00Z,
P-BAD,C2,engineer_appointment,2026-03-02T09:00:00Z,2026-03-12T10:00:00Z,,2026-03-01T10:00:00Z
"""


def test_cancelled_visits_from_source_to_message(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_bad_fraction=1.0)
    report = ingest(write_source(tmp_path / "src", {**GOOD_SOURCE, "promises": PROMISES}), settings)
    promises = next(t for t in report.tables if t.table == "promises")
    assert (promises.accepted, promises.quarantined) == (3, 1)
    assert promises.first_problem == "promises.csv row 5: cancelled_at is before made_at"
    with (settings.quarantine_dir / "promises.csv").open(encoding="utf-8") as f:
        [bad] = list(csv.DictReader(f))
    assert (bad["row"], bad["column"], bad["promise_id"]) == ("5", "cancelled_at", "P-BAD")

    context = DetectorContext(open_ledger(settings.ledger_dir), date(2026, 3, 20), settings)
    [detected] = detect_all([BrokenPromise()], context)
    [moment] = detected.moments  # 15 hours' notice is broken; 24 hours' is not; kept is kept
    assert moment.subscription_id == "P-EVENING"
    assert moment.cost_to_business_minor == 2500 and moment.evidence["verdict"] == "cancelled_late"
    message = render_message(moment, "Ann", None, {})
    assert "Your engineer visit on 12 March 2026 was cancelled the evening before." in message.text
    assert "£25" in message.subject and "£25" in message.text
    assert "was cancelled the evening before" in message.html
    assert message.tone_issues == ()
