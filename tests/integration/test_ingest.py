"""Ingest against every kind of bad input: the exact message, and what lands in quarantine."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from goodwill.errors import (
    IngestError,
    MissingColumnError,
    MissingTableError,
    TooManyBadRowsError,
    UnreadableFileError,
)
from goodwill.ledger.ingest import IngestReport, ingest
from goodwill.ledger.reader import open_ledger
from goodwill.settings import Settings
from tests.conftest import GOOD_SOURCE, write_source


def run(tmp_path: Path, max_bad_fraction: float = 1.0, **tables: str) -> IngestReport:
    source = write_source(tmp_path / "source", {**GOOD_SOURCE, **tables})
    return ingest(source, Settings(data_dir=tmp_path / "data", max_bad_fraction=max_bad_fraction))


def quarantine(tmp_path: Path, table: str) -> list[dict[str, str]]:
    with (tmp_path / "data" / "quarantine" / f"{table}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def report_for(report: IngestReport, table: str) -> tuple[int, int, int]:
    t = next(t for t in report.tables if t.table == table)
    return t.rows_read, t.accepted, t.quarantined


def ledger_digest(data_dir: Path) -> dict[str, str]:
    ledger = (data_dir / "ledger").resolve()
    return {
        str(p.relative_to(ledger)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(ledger.rglob("*.parquet"))
    }


def test_a_good_source_is_accepted_whole_with_typed_values(tmp_path: Path) -> None:
    report = run(tmp_path, max_bad_fraction=0.0)
    assert report.quarantined == 0
    assert report_for(report, "usage") == (5, 5, 0)
    assert not (tmp_path / "data" / "quarantine" / "usage.csv").exists()
    ledger = open_ledger(tmp_path / "data" / "ledger")
    customers = ledger.table("customers").order_by("customer_id").execute()
    # An offset is converted to UTC; a bare date is midnight UTC.
    assert str(customers.joined_at[1]) == "2025-02-01 08:00:00+00:00"
    assert str(customers.joined_at[2]) == "2025-03-01 00:00:00+00:00"
    plans = ledger.table("plans").order_by("plan_id").execute()
    assert plans.monthly_fee.tolist() == [1000, 750, 1200]
    assert str(plans.monthly_fee.dtype) == "int64"
    usage = ledger.table("usage").order_by(["subscription_id", "period", "kind"]).execute()
    assert usage.period.tolist() == ["2026-01", "2026-01", "2026-02", "2026-01", "2026-02"]
    assert ledger.table("promises").count().execute() == 0  # optional table, absent: empty


def test_wrong_type_is_quarantined_with_row_column_value_and_reason(tmp_path: Path) -> None:
    plans = GOOD_SOURCE["plans"] + "P-X,Broken,ten pounds,GBP,true,0,0\n"
    report = run(tmp_path, plans=plans)
    assert report_for(report, "plans") == (4, 3, 1)
    [row] = quarantine(tmp_path, "plans")
    assert row["row"] == "5"
    assert row["column"] == "monthly_fee"
    assert row["value"] == "ten pounds"
    assert row["reason"] == (
        'monthly_fee "ten pounds" is not a whole number of minor units (write £10.50 as 1050)'
    )
    assert row["plan_id"] == "P-X" and row["name"] == "Broken"  # the row as it was
    first = next(t.first_problem for t in report.tables if t.table == "plans")
    assert first == f"plans.csv row 5: {row['reason']}"


def test_pounds_with_pence_are_not_taken_for_minor_units(tmp_path: Path) -> None:
    run(tmp_path, plans=GOOD_SOURCE["plans"] + "P-X,Decimal,10.50,GBP,true,0,0\n")
    [row] = quarantine(tmp_path, "plans")
    assert row["reason"].startswith('monthly_fee "10.50" is not a whole number of minor units')


def test_negative_money_is_quarantined(tmp_path: Path) -> None:
    run(tmp_path, bills=GOOD_SOURCE["bills"] + "C3,2026-01,-100,GBP\n")
    [row] = quarantine(tmp_path, "bills")
    assert (row["row"], row["column"], row["value"]) == ("4", "amount", "-100")
    assert row["reason"] == 'amount "-100" is negative; amounts are 0 or more'


def test_unknown_plan_is_quarantined_and_so_is_the_usage_that_hangs_on_it(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        subscriptions=GOOD_SOURCE["subscriptions"] + "S9,C1,,P-NOPE,2025-01-03T10:00:00Z,,\n",
        usage=GOOD_SOURCE["usage"] + "S9,2026-01,data_mb,10\n",
    )
    [sub] = quarantine(tmp_path, "subscriptions")
    assert (sub["row"], sub["column"]) == ("6", "plan_id")
    assert (
        sub["reason"]
        == 'plan_id "P-NOPE" is not in plans (missing there, or set aside in quarantine)'
    )
    [use] = quarantine(tmp_path, "usage")
    assert use["row"] == "7"
    assert use["reason"].startswith('subscription_id "S9" is not in subscriptions')
    assert report_for(report, "usage") == (6, 5, 1)


def test_dangling_referral_is_quarantined(tmp_path: Path) -> None:
    customers = GOOD_SOURCE["customers"] + "C4,Di Fox,,2025-04-01T00:00:00Z,,C99,,\n"
    run(tmp_path, customers=customers)
    [row] = quarantine(tmp_path, "customers")
    assert (row["row"], row["column"], row["value"]) == ("5", "referred_by", "C99")
    assert row["reason"].startswith('referred_by "C99" is not in customers')


def test_duplicate_keys_are_all_quarantined_never_merged(tmp_path: Path) -> None:
    customers = GOOD_SOURCE["customers"] + "C1,Ann Other,,2025-05-01T00:00:00Z,,,,\n"
    report = run(tmp_path, customers=customers)
    rows = quarantine(tmp_path, "customers")
    assert [r["row"] for r in rows] == ["2", "3", "5"]
    assert [r["name"] for r in rows] == ["Ann Lee", "Bob Roy", "Ann Other"]
    assert (
        rows[0]["reason"]
        == 'customer_id "C1" is on rows 2, 5: a key must be unique, so no copy is taken'
    )
    assert rows[2]["reason"] == rows[0]["reason"]
    # C1 is gone, so is everything that refers to it, each with its own reason: C2 whom
    # C1 referred, C1's subscriptions and their usage.
    assert rows[1]["reason"].startswith('referred_by "C1" is not in customers')
    assert report_for(report, "customers") == (4, 1, 3)
    assert {r["subscription_id"] for r in quarantine(tmp_path, "subscriptions")} == {
        "S1",
        "S2",
        "S3",
    }


def test_a_missing_required_column_names_the_file_and_column(tmp_path: Path) -> None:
    plans = "plan_id,name,monthly_fee,on_sale,contract_months,device_fee\nP-1,One,100,true,0,0\n"
    with pytest.raises(MissingColumnError) as err:
        run(tmp_path, plans=plans)
    assert str(err.value).startswith(
        "plans.csv has no column currency; its header is plan_id, name, monthly_fee, on_sale, "
        "contract_months, device_fee; the plans table needs plan_id, name, monthly_fee, currency,"
    )
    assert not (tmp_path / "data" / "ledger").exists()


def test_a_missing_required_file_is_named(tmp_path: Path) -> None:
    source = write_source(
        tmp_path / "source", {k: v for k, v in GOOD_SOURCE.items() if k != "usage"}
    )
    with pytest.raises(MissingTableError) as err:
        ingest(source, Settings(data_dir=tmp_path / "data"))
    assert str(err.value).startswith(
        f"{source} has no usage.csv (or usage.parquet); every ledger needs"
    )


def test_an_empty_file_is_an_error_that_names_it(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError) as err:
        run(tmp_path, customers="")
    assert str(err.value) == "customers.csv is empty: it needs at least a header row"


def test_a_header_only_file_is_an_empty_table(tmp_path: Path) -> None:
    report = run(tmp_path, bills="customer_id,period,amount,currency\n")
    assert report_for(report, "bills") == (0, 0, 0)


def test_wrong_encoding_quarantines_the_rows_that_are_not_utf8(tmp_path: Path) -> None:
    source = write_source(tmp_path / "source", GOOD_SOURCE)
    text = GOOD_SOURCE["customers"] + "C4,Zoë Brontë,,2025-04-01T00:00:00Z,,,,\n"
    (source / "customers.csv").write_bytes(text.encode("latin-1"))
    report = ingest(source, Settings(data_dir=tmp_path / "data", max_bad_fraction=1.0))
    [row] = quarantine(tmp_path, "customers")
    assert (row["row"], row["column"]) == ("5", "name")
    assert row["value"] == "Zo\\xeb Bront\\xeb"
    assert row["reason"] == "name is not UTF-8 text (byte 0xEB); save the file as UTF-8"
    assert report_for(report, "customers") == (4, 3, 1)


def test_a_row_with_the_wrong_number_of_fields_is_quarantined_whole(tmp_path: Path) -> None:
    run(tmp_path, usage=GOOD_SOURCE["usage"] + "S1,2026-03,data_mb\nS1,2026-04,data_mb,5\n")
    [row] = quarantine(tmp_path, "usage")
    assert (row["row"], row["value"]) == ("7", "S1,2026-03,data_mb")
    assert row["reason"] == "the row has 3 fields where the header has 4"
    ledger = open_ledger(tmp_path / "data" / "ledger")
    assert "2026-04" in ledger.table("usage").period.execute().tolist()  # the row after it survived


def _usage_with_bad_rows(total: int, bad: int) -> str:
    lines = ["subscription_id,period,kind,quantity"]
    for i in range(total):
        quantity = "-1" if i < bad else str(i)
        lines.append(f"S1,2026-{(i % 12) + 1:02d},kind_{i},{quantity}")
    return "\n".join(lines) + "\n"


def test_one_percent_bad_rows_pass_at_the_default_limit(tmp_path: Path) -> None:
    report = run(tmp_path, max_bad_fraction=0.01, usage=_usage_with_bad_rows(200, 2))
    assert report_for(report, "usage") == (200, 198, 2)
    assert len(quarantine(tmp_path, "usage")) == 2


def test_fifty_percent_bad_rows_stop_ingest_and_say_where(tmp_path: Path) -> None:
    with pytest.raises(TooManyBadRowsError) as err:
        run(tmp_path, max_bad_fraction=0.01, usage=_usage_with_bad_rows(200, 100))
    message = str(err.value)
    assert message.startswith(
        "usage.csv: 100 of 200 rows are bad (50.0%), over the limit of 1.0%; first: "
        'usage.csv row 2: quantity "-1" is below the minimum of 0'
    )
    assert "The ledger was not changed" in message
    assert len(quarantine(tmp_path, "usage")) == 100  # the bad rows are there to fix


def test_a_failed_ingest_leaves_the_previous_ledger_untouched(tmp_path: Path) -> None:
    run(tmp_path)
    before = ledger_digest(tmp_path / "data")
    manifest = (tmp_path / "data" / "ledger" / "_manifest.json").read_text()
    with pytest.raises(TooManyBadRowsError):
        run(tmp_path, max_bad_fraction=0.01, usage=_usage_with_bad_rows(10, 5))
    with pytest.raises(MissingColumnError):
        run(tmp_path, plans="plan_id\nP-1\n")
    assert ledger_digest(tmp_path / "data") == before
    assert (tmp_path / "data" / "ledger" / "_manifest.json").read_text() == manifest
    assert len(list((tmp_path / "data" / "snapshots").iterdir())) == 1  # no half-written snapshot


def test_reingesting_the_same_source_gives_the_same_ledger(tmp_path: Path) -> None:
    run(tmp_path)
    first = ledger_digest(tmp_path / "data")
    run(tmp_path)
    assert ledger_digest(tmp_path / "data") == first
    assert len(list((tmp_path / "data" / "snapshots").iterdir())) == 1  # the old one is removed


def test_parquet_sources_are_validated_like_csv(tmp_path: Path) -> None:
    source = write_source(
        tmp_path / "source", {k: v for k, v in GOOD_SOURCE.items() if k != "plans"}
    )
    plans = pa.table(
        {
            "plan_id": ["P-750", "P-1000", "P-OLD", "P-NEG"],
            "name": ["a", "b", "c", "d"],
            "monthly_fee": pa.array([750, 1000, 1200, -1], pa.int64()),
            "currency": ["GBP"] * 4,
            "on_sale": [True, True, False, True],
            "contract_months": [0, 0, 0, 0],
            "device_fee": [0, 0, 0, 0],
        }
    )
    pq.write_table(plans, source / "plans.parquet")
    report = ingest(source, Settings(data_dir=tmp_path / "data", max_bad_fraction=1.0))
    assert report_for(report, "plans") == (4, 3, 1)
    [row] = quarantine(tmp_path, "plans")
    assert (row["row"], row["column"]) == (
        "4",
        "monthly_fee",
    )  # a Parquet file's first record is row 1


def test_a_table_in_both_formats_is_ambiguous(tmp_path: Path, good_source: Path) -> None:
    pq.write_table(pa.table({"plan_id": ["x"]}), good_source / "plans.parquet")
    with pytest.raises(
        IngestError, match=r"has both plans.csv and plans.parquet; keep one of them"
    ):
        ingest(good_source, Settings(data_dir=tmp_path / "data"))


def test_cross_column_rules_and_allowed_values(tmp_path: Path) -> None:
    customers = (
        GOOD_SOURCE["customers"] + "C4,Di Fox,,2025-04-01T00:00:00Z,2025-01-01T00:00:00Z,,spam,\n"
    )
    run(tmp_path, customers=customers)
    [row] = quarantine(tmp_path, "customers")
    assert row["reason"] == (
        'consents "spam" has a value that is not one of advice, care, marketing, survey; '
        "left_at is before joined_at"
    )
