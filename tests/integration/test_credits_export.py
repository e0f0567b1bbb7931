"""Credits go to billing exactly once: across re-runs and across a crash mid-export."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from goodwill.channels.credits_export import (
    export_credits,
    mark_exported,
    plan_batch,
    write_batch,
)
from goodwill.store import add_action, add_moment_once, start_run
from goodwill.store.models import CreditExport

NOW = datetime(2026, 3, 21, 3, tzinfo=UTC)


def grant(sessions: sessionmaker[Session], *amounts: int, first: int = 0) -> None:
    with sessions.begin() as session:
        run = start_run(session, NOW.date(), now=NOW)
        for n, amount in enumerate(amounts, start=first):
            moment = add_moment_once(
                session,
                run_id=run.id,
                customer_id=f"C{n}",
                kind="broken_promise",
                detected_for="2026-03-12",
                value_to_customer_minor=amount,
                cost_to_business_minor=amount,
                currency="GBP",
                evidence={"summary": f"Promise {n} was 3 days late."},
                status="acted",
                dedupe_key=f"broken_promise:P{n}:2026-03-12",
                now=NOW,
            )
            assert moment is not None
            add_action(
                session,
                customer_id=f"C{n}",
                kind="credit",
                moment_id=moment.id,
                amount_minor=amount,
                currency="GBP",
                now=NOW,
            )
        add_action(session, customer_id="C0", kind="message", now=NOW)  # not a credit


def exported_rows(folder: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows += list(csv.DictReader(f))
    return rows


def test_each_credit_is_exported_once_across_reruns(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    grant(sessions, 500, 800)
    first = export_credits(sessions, tmp_path, NOW)
    again = export_credits(sessions, tmp_path, NOW)
    grant(sessions, 2500, first=2)
    later = export_credits(sessions, tmp_path, NOW)
    assert (len(first.written), first.credits) == (1, 2)
    assert (again.written, again.marked_only, again.credits) == ([], [], 0)
    assert (len(later.written), later.credits) == (1, 1)
    rows = exported_rows(tmp_path)
    assert sorted(r["amount_minor"] for r in rows) == ["2500", "500", "800"]
    assert len({r["idempotency_key"] for r in rows}) == 3
    assert rows[0]["why"] == "Promise 0 was 3 days late." and rows[0]["reason"] == "broken_promise"
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_crash_between_writing_and_marking_is_finished_not_rewritten(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    grant(sessions, 500, 800)
    with sessions.begin() as session:
        batch_id = plan_batch(session, NOW)
        assert batch_id is not None
        assert write_batch(session, batch_id, tmp_path)
    # The process dies here: the file is in place, the batch is not marked.
    written = (tmp_path / f"{batch_id}.csv").read_bytes()
    grant(sessions, 2500, first=2)  # a new credit arrives before the restart
    report = export_credits(sessions, tmp_path, NOW)
    assert report.marked_only == [batch_id] and len(report.written) == 1
    assert (tmp_path / f"{batch_id}.csv").read_bytes() == written
    assert sorted(r["amount_minor"] for r in exported_rows(tmp_path)) == ["2500", "500", "800"]
    with sessions() as session:
        batches = session.scalars(select(CreditExport)).all()
        assert all(b.exported_at is not None for b in batches) and len(batches) == 2


def test_a_crash_after_planning_writes_the_file_on_restart(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    grant(sessions, 500)
    with sessions.begin() as session:
        batch_id = plan_batch(session, NOW)
    (tmp_path / f".{batch_id}.csv.999.tmp").write_text("half a fi")  # a torn write
    report = export_credits(sessions, tmp_path, NOW)
    assert report.written == [batch_id] and report.credits == 1
    assert [r["amount_minor"] for r in exported_rows(tmp_path)] == ["500"]
    assert not list(tmp_path.glob(".*.tmp"))
    with sessions.begin() as session:
        assert batch_id is not None
        assert mark_exported(session, batch_id, NOW) == 1  # marking twice is harmless
