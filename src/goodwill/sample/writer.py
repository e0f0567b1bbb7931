"""Write the sample as CSV files in the ingest format, plus ``truth.json``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from goodwill.ledger.contract import TABLES_BY_NAME
from goodwill.sample import tables
from goodwill.sample.campaign_truth import CAMPAIGN_FILE, campaign_table
from goodwill.sample.generator import Sample
from goodwill.sample.truth import truth

#: Free text can hold commas; every other column is written unquoted (pyarrow refuses to
#: write a comma or quote unquoted, so a mistake fails loudly instead of corrupting a file).
QUOTED_TABLES = frozenset({"feedback"})


def write_csv(name: str, chunks: Iterable[pa.Table], out_dir: Path) -> int:
    """Write ``chunks`` of one table to ``OUT_DIR/name.csv``; returns the rows written."""
    quoting = "needed" if name in QUOTED_TABLES else "none"
    options = pacsv.WriteOptions(include_header=False, quoting_style=quoting)
    rows = 0
    with pa.output_stream(out_dir / f"{name}.csv") as sink:
        # pyarrow quotes every header name; the contract's names never need it.
        sink.write((",".join(TABLES_BY_NAME[name].column_names) + "\n").encode())
        writer: pacsv.CSVWriter | None = None
        for chunk in chunks:
            writer = writer or pacsv.CSVWriter(sink, chunk.schema, write_options=options)
            writer.write_table(chunk)
            rows += chunk.num_rows
        if writer is not None:
            writer.close()
    return rows


def write_all(sample: Sample, out_dir: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """Every table of the sample, parents first, and truth.json: (rows per table, truth)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cids = tables.customer_ids(sample)
    sids = tables.subscription_ids(sample)
    # Each table is built only when it is written, so one large table is in memory at a time.
    build: dict[str, Callable[[], Iterable[pa.Table]]] = {
        "plans": lambda: [tables.plans()],
        "plan_allowances": lambda: [tables.plan_allowances()],
        "default_rates": lambda: [tables.default_rates()],
        "customers": lambda: [tables.customers(sample, cids)],
        "subscriptions": lambda: [tables.subscriptions(sample, cids, sids)],
        "usage": lambda: tables.usage_chunks(sample, sids),
        "bills": lambda: [tables.bills(sample, cids)],
        "promises": lambda: [tables.promises(sample, cids)],
        "tickets": lambda: [tables.tickets(sample, cids)],
        "ticket_events": lambda: [tables.ticket_events(sample)],
        "feedback": lambda: [tables.feedback(sample, cids)],
    }
    rows = {name: write_csv(name, chunks(), out_dir) for name, chunks in build.items()}
    if sample.campaign is not None:
        rows["campaign"] = write_campaign(sample, out_dir)
    facts = truth(sample)
    text = json.dumps(facts, indent=2, sort_keys=True) + "\n"
    (out_dir / "truth.json").write_text(text, encoding="utf-8")
    return rows, facts


def write_campaign(sample: Sample, out_dir: Path) -> int:
    """``campaign.csv``: the eligible subscriptions of a simulated campaign (not a ledger
    table: ingest ignores it; :func:`~goodwill.sample.record_campaign` reads it)."""
    assert sample.campaign is not None
    table = campaign_table(
        sample.campaign, len(sample.customers), len(sample.lines), sample.lines.customer
    )
    pacsv.write_csv(table, out_dir / CAMPAIGN_FILE, pacsv.WriteOptions(quoting_style="none"))
    return table.num_rows
