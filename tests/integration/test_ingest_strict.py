"""The contract is strict where leniency would mislead (finding 6 of issue 15): every
refused value is quarantined with its file, row and field; a zoneless time is taken as UTC,
as the contract says, and ingest says so."""

from __future__ import annotations

import csv
from pathlib import Path

from goodwill.ledger.currencies import CURRENCIES
from goodwill.ledger.ingest import IngestReport, ingest
from goodwill.settings import Settings
from tests.conftest import GOOD_SOURCE, write_source

csv.field_size_limit(4 * 1024 * 1024)  # the quarantine keeps a megabyte name whole


def _ingest(tmp_path: Path, **tables: str) -> tuple[IngestReport, list[dict[str, str]]]:
    source = write_source(tmp_path / "src", {**GOOD_SOURCE, **tables})
    settings = Settings(data_dir=tmp_path / "data", max_bad_fraction=1.0)
    report = ingest(source, settings)
    bad = []
    for path in sorted(settings.quarantine_dir.glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            bad += [{"file": path.name, **row} for row in csv.DictReader(f)]
    return report, bad


def _first(report: IngestReport, table: str) -> str | None:
    return next(t.first_problem for t in report.tables if t.table == table)


def test_xxx_is_not_a_currency(tmp_path: Path) -> None:
    plans = GOOD_SOURCE["plans"].replace("P-OLD,Old 12,1200,GBP", "P-OLD,Old 12,1200,XXX")
    report, bad = _ingest(tmp_path, plans=plans)
    assert _first(report, "plans") == (
        'plans.csv row 4: currency "XXX" is not an ISO 4217 currency a customer is billed in '
        "(see docs/ledger.md)"
    )
    assert [(b["file"], b["row"], b["column"]) for b in bad if b["file"] == "plans.csv"] == [
        ("plans.csv", "4", "currency")
    ]


def test_the_currency_table_holds_real_currencies_only() -> None:
    assert {"GBP", "EUR", "USD", "JPY", "XOF", "XCG", "ZWG"} <= CURRENCIES
    assert not {"XXX", "XTS", "XAU", "XDR", "BOV"} & CURRENCIES
    assert all(len(c) == 3 and c.isupper() for c in CURRENCIES)


def test_a_megabyte_name_is_quarantined_not_stored(tmp_path: Path) -> None:
    huge = "A" * 1_048_576
    customers = GOOD_SOURCE["customers"].replace("C2,Bob Roy,", f"C2,{huge},")
    report, bad = _ingest(tmp_path, customers=customers)
    assert _first(report, "customers") == (
        "customers.csv row 3: name is 1048576 characters long; at most 500 are allowed"
    )
    assert ("customers.csv", "3", "name") in [(b["file"], b["row"], b["column"]) for b in bad]


def test_a_long_feedback_text_is_within_its_own_limit(tmp_path: Path) -> None:
    text = "so good " * 1000  # 8,000 characters: over the 500 of a name, within feedback's
    feedback = f"customer_id,at,kind,score,text\nC1,2026-02-01T10:00:00Z,nps,9,{text}\n"
    report, bad = _ingest(tmp_path, feedback=feedback)
    assert next(t.accepted for t in report.tables if t.table == "feedback") == 1
    assert not [b for b in bad if b["file"] == "feedback.csv"]


def test_a_plus_sign_is_not_an_amount(tmp_path: Path) -> None:
    bills = GOOD_SOURCE["bills"].replace("C2,2026-02,1250,GBP", "C2,2026-02,+1250,GBP")
    report, _ = _ingest(tmp_path, bills=bills)
    assert _first(report, "bills") == (
        'bills.csv row 3: amount "+1250" has a plus sign; write the number alone, e.g. 5'
    )


def test_a_time_without_a_zone_is_taken_as_utc_and_said(tmp_path: Path) -> None:
    subscriptions = GOOD_SOURCE["subscriptions"].replace(
        "S3,C2,,P-OLD,2025-02-01T09:00:00Z", "S3,C2,,P-OLD,2025-02-01 09:00"
    )
    report, bad = _ingest(tmp_path, subscriptions=subscriptions)
    assert not [b for b in bad if b["file"] == "subscriptions.csv"]
    assert (
        "subscriptions.csv: 1 started_at values have a time but no zone (first: row 4); they "
        "were taken as UTC, as the contract says; write Z or an offset (+01:00) in the export "
        "if they are local times"
    ) in report.warnings
