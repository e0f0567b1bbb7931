"""Credits for the billing system: one CSV file per batch, every credit exactly once.

The order makes it crash-safe. (1) A batch is *planned* in the store: its id and its
credits, in one transaction (a credit's primary key in ``credit_export_items`` keeps it
in one batch only). (2) Its file ``<batch_id>.csv`` is written to a temporary name and
renamed into place, so billing never sees half a file. (3) The batch is marked exported.
A crash after (1) or (2) leaves a planned batch that the next run finishes: it writes
the file only if it is not there yet, and never writes a batch's file twice. Each row
carries an ``idempotency_key`` (``credit-<action id>``) for billing to drop repeats.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from goodwill.store.models import Action, CreditExport, CreditExportItem, Moment

COLUMNS = (
    "batch_id",
    "idempotency_key",
    "action_id",
    "customer_id",
    "amount_minor",
    "currency",
    "reason",
    "why",
    "granted_at",
)


@dataclass
class ExportReport:
    """The batches one export wrote, and those it only marked (their file was in place)."""

    written: list[str] = field(default_factory=list)
    marked_only: list[str] = field(default_factory=list)
    credits: int = 0


def export_credits(sessions: sessionmaker[Session], folder: Path, now: datetime) -> ExportReport:
    """Finish any batch a crash left behind, then export the credits not exported yet."""
    report = ExportReport()
    with sessions.begin() as session:
        pending = [b.batch_id for b in _unfinished(session)]
    with sessions.begin() as session:
        planned = plan_batch(session, now)
    for batch_id in pending + ([planned] if planned else []):
        with sessions.begin() as session:
            wrote = write_batch(session, batch_id, folder)
            report.credits += mark_exported(session, batch_id, now)
        (report.written if wrote else report.marked_only).append(batch_id)
    return report


def plan_batch(session: Session, now: datetime) -> str | None:
    """Put every credit not in a batch into a new one; its id, or None if there were none."""
    exported = select(CreditExportItem.action_id)
    credits = session.scalars(
        select(Action)
        .where(Action.kind == "credit", Action.amount_minor > 0, Action.id.not_in(exported))
        .order_by(Action.id)
    ).all()
    if not credits:
        return None
    ids = ",".join(str(c.id) for c in credits)
    batch_id = f"credits-{now:%Y%m%d}-{hashlib.sha256(ids.encode()).hexdigest()[:12]}"
    session.add(
        CreditExport(
            batch_id=batch_id,
            file_name=f"{batch_id}.csv",
            credits=len(credits),
            total_minor=sum(c.amount_minor for c in credits),
            created_at=now,
        )
    )
    session.flush()
    session.add_all(CreditExportItem(action_id=c.id, batch_id=batch_id) for c in credits)
    session.flush()
    return batch_id


def write_batch(session: Session, batch_id: str, folder: Path) -> bool:
    """Write the batch's file unless it is already in place; whether it was written."""
    batch = session.get_one(CreditExport, batch_id)
    target = folder / batch.file_name
    if target.exists():
        return False
    folder.mkdir(parents=True, exist_ok=True)
    for torn in folder.glob(f".{batch.file_name}.*.tmp"):  # left by a crash mid-write
        torn.unlink()
    temporary = folder / f".{batch.file_name}.{os.getpid()}.tmp"
    with temporary.open("w", encoding="utf-8", newline="") as out:
        out.write(batch_csv(session, batch_id))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)
    return True


def mark_exported(session: Session, batch_id: str, now: datetime) -> int:
    """Mark the batch exported; how many credits it holds."""
    batch = session.get_one(CreditExport, batch_id)
    batch.exported_at = batch.exported_at or now
    return batch.credits


def batch_csv(session: Session, batch_id: str) -> str:
    """The batch as CSV text: one row per credit, oldest first."""
    rows = session.execute(
        select(Action, Moment.kind, Moment.evidence)
        .join(CreditExportItem, CreditExportItem.action_id == Action.id)
        .outerjoin(Moment, Moment.id == Action.moment_id)
        .where(CreditExportItem.batch_id == batch_id)
        .order_by(Action.id)
    ).all()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for action, kind, evidence in rows:
        writer.writerow(
            (
                batch_id,
                f"credit-{action.id}",
                action.id,
                action.customer_id,
                action.amount_minor,
                action.currency,
                kind or "",
                (evidence or {}).get("summary", ""),
                action.created_at.isoformat(),
            )
        )
    return text.getvalue()


def _unfinished(session: Session) -> list[CreditExport]:
    query = select(CreditExport).where(CreditExport.exported_at.is_(None))
    return list(session.scalars(query.order_by(CreditExport.created_at, CreditExport.batch_id)))
