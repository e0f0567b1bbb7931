"""The data contract as Markdown: ``docs/ledger.md`` is this text (a test keeps them equal).

Regenerate the document after changing the contract with ``goodwill contract > docs/ledger.md``.
"""

from __future__ import annotations

from goodwill.ledger.contract import TABLES, Column, ColumnType, Table

INTRO = """\
# The ledger data contract

goodwill reads a company's history from one folder of tables, one file per table:
`<table>.csv` (UTF-8, a header row, comma-separated) or `<table>.parquet`.
`goodwill ingest SOURCE_DIR` checks every row against this contract. Good rows go into the
ledger (Parquet, in `<data>/ledger/`); a bad row goes to `<data>/quarantine/<table>.csv`
with its row number, the column, the bad value and the reason, followed by the row as it
was, so nothing is lost. Row numbers are those a spreadsheet shows: the header is row 1.
If more than `--max-bad-fraction` (default 1%) of any table's rows are bad, or a required
table or column is missing, ingest stops and the previous ledger stays as it was.

Columns not listed here are ignored (ingest says which). An optional column may be left
out of the file entirely; ingest then warns, naming the file and the column, because that
column is empty for every row of the new ledger. A table that has rows in the ledger is
never replaced by none: a header-only file (or a file gone from the source folder) stops
the ingest unless `--allow-empty TABLE` says the table really is empty now. A row whose key is also on another row is quarantined with
every copy: goodwill never guesses which one is right. A row that refers to a row of
another table that does not exist (or was quarantined) is quarantined too.

This page is generated from `src/goodwill/ledger/contract.py` by `goodwill contract`.
"""

TYPES: dict[ColumnType, str] = {
    ColumnType.TEXT: "any non-empty text, at most 500 characters unless the column says otherwise",
    ColumnType.ID: "an identifier: letters, digits and `- _ . : / @ +`, no spaces, at most 64 characters",
    ColumnType.INTEGER: "a whole number in digits, e.g. `42` (not `+42`)",
    ColumnType.MONEY: "a whole number of minor units (pence, cents) in digits, 0 or more: `1050` is £10.50 (`+1050` is refused)",
    ColumnType.RATE: "minor units per unit of use in digits, up to 4 decimals: `25` is 25p, `0.5` is half a penny",
    ColumnType.BOOLEAN: "`true` or `false` (also `1`/`0`, `yes`/`no`, `t`/`f`)",
    ColumnType.TIMESTAMP: "ISO 8601, e.g. `2026-03-14T09:30:00Z`; an offset is converted to UTC; a time without one is taken as UTC, and ingest says how many there were",
    ColumnType.DATE: "a calendar date, `YYYY-MM-DD`",
    ColumnType.PERIOD: "a calendar month, `YYYY-MM`",
    ColumnType.CURRENCY: "an ISO 4217 code such as `GBP`, from goodwill's list of the currencies customers are billed in (`XXX`, `XTS`, metals and fund codes are refused)",
    ColumnType.EMAIL: "an email address, at most 254 characters",
    ColumnType.LOCALE: "a language tag such as `en-GB`, at most 35 characters",
    ColumnType.TOKENS: "a `;`-separated list of allowed values, at most 200 characters",
}


def _rules(column: Column) -> str:
    parts = []
    if column.allowed:
        parts.append("one of " + ", ".join(f"`{a}`" for a in column.allowed))
    if column.minimum is not None and column.type is not ColumnType.MONEY:
        parts.append(f"at least {column.minimum}")
    if column.maximum is not None:
        parts.append(f"at most {column.maximum}")
    if column.max_length is not None:
        parts.append(f"at most {column.max_length:,} characters")
    return "; ".join(parts)


def _table(table: Table) -> list[str]:
    lines = [f"## {table.name}", "", table.description, ""]
    facts = [f"**{'Required' if table.required else 'Optional'}** table."]
    if table.primary_key:
        facts.append("Key: " + ", ".join(f"`{k}`" for k in table.primary_key) + ".")
    facts += [f"`{fk.column}` refers to `{fk.table}`." for fk in table.foreign_keys]
    if table.partition_by:
        facts.append(f"Stored partitioned by `{table.partition_by}`.")
    lines += [
        " ".join(facts),
        "",
        "| column | type | required | meaning | rules |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in table.columns:
        required = "yes" if c.required else "no"
        lines.append(
            f"| `{c.name}` | {c.type.value} | {required} | {c.description} | {_rules(c)} |"
        )
    if table.rules:
        lines += [
            "",
            "Rules across columns: "
            + "; ".join(r.reason.replace("is before", "must not be before") for r in table.rules)
            + ".",
        ]
    return [*lines, ""]


DERIVED = """## Derived: the rating-ready usage (not part of the contract)

Besides the contract's tables, ingest writes `rating_usage.parquet` into the same
snapshot, so it is swapped in and out with them in one rename. You never provide it and
never edit it: it is the `usage` table laid out for re-rating, rebuilt by every ingest
from the rows it has just accepted, in memory, while the contract's tables are written
(it equals what the first rating run would build from those tables' Parquet).

- one row per subscription, sorted by `subscription_id`, with a dense integer `sub_key`
  (0, 1, 2, ...) and the subscription's `customer_id`, `plan_id`, `started_at`,
  `ended_at` and `contract_end`;
- one integer column `use/<period>/<kind>` per period and kind the usage holds (0 where
  nothing was recorded; INTEGER when every quantity fits in 32 bits, else BIGINT; stored
  plain, uncompressed and required, so reading it is a copy) and one BOOLEAN
  `seen/<period>` per period (any usage recorded); the ids are stored plain and
  uncompressed too, the other columns dictionary-encoded;
- Parquet row groups of 65,536 subscriptions, so a block of subscriptions reads as
  contiguous column chunks; `rating_usage.json` beside it holds the layout's version
  and lists the (period, kind) cells recorded with their largest quantity.

A ledger written by an older goodwill has no such file, or one of an older version: the
first run that rates builds it into the ledger's snapshot (written under a temporary
name and renamed). When the folder is read-only, an older version is read as it is, and
a missing file stops the run with a message to ingest again. A run resolves the ledger's
snapshot once, so a re-ingest during a run never mixes two snapshots' usage.

The web app also holds, per snapshot and in memory only, the customers, their
subscriptions and the latest 13 months of this table, each sorted by key
(`goodwill.ledger.by_customer`), so the customer's pages read their rows by binary
search rather than scan Parquet on every request; it is read again when an ingest swaps
in a new snapshot, and a page asking for an older month reads the ledger as before.
Memory grows with lines, not history: 4 bytes a kind and month, 13 months a line, plus
the ids and the customer rows: 670 bytes a line on the sample, so about 0.7 GB at a
million lines.
"""


def render_markdown() -> str:
    """The whole contract document."""
    lines = [INTRO, "## Types", "", "| type | how to write it |", "| --- | --- |"]
    lines += [f"| {t.value} | {TYPES[t]} |" for t in ColumnType]
    lines.append("")
    for table in TABLES:
        lines += _table(table)
    lines.append(DERIVED)
    return "\n".join(lines).rstrip() + "\n"
