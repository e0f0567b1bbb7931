"""Usage stored ready to rate: one row per subscription, one column per month and kind.

The contract's ``usage`` table is long (a row per subscription, period and kind); rating
wants it wide and dense. Ingest writes this derived table next to the contract's tables
in the same snapshot, so it is swapped in (and out) with them in one rename:

``rating_usage.parquet``: ``sub_key`` (0, 1, 2, ... in subscription id order), the
subscription's ``subscription_id, customer_id, plan_id, started_at, ended_at,
contract_end``, then ``use/{period}/{kind}`` (BIGINT, 0 where nothing was recorded) for
every period and kind the usage holds and ``seen/{period}`` (any usage recorded that
month). Sorted by ``sub_key``, in row groups of :data:`ROW_GROUP` subscriptions, so a
block of subscriptions reads as contiguous column chunks. ``rating_usage.json`` beside it
lists the cells recorded (period, kind, largest quantity): the rating needs no pass over
the usage to find the kinds in use.

A ledger written before this table existed still opens: the table is built on first use
(into its snapshot, atomically) or, for a ledger held in memory, computed as a view.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from goodwill.errors import LedgerError
from goodwill.ledger.folder import MANIFEST

if TYPE_CHECKING:
    import duckdb

    from goodwill.ledger.reader import Ledger

FILE = "rating_usage.parquet"
#: Subscriptions per Parquet row group: one block of the rating reads one group.
ROW_GROUP = 65_536
#: The cells recorded, ``[[period, kind, largest quantity], ...]``, beside the table.
CELLS_FILE = "rating_usage.json"
#: The subscription columns the table carries, before the use columns.
SUBSCRIPTION_COLUMNS = (
    "subscription_id",
    "customer_id",
    "plan_id",
    "started_at",
    "ended_at",
    "contract_end",
)


DUPLICATE = "usage has two rows for one subscription, period and kind; ingest the ledger"


def use_column(period: str, kind: str) -> str:
    return f"use/{period}/{kind}"


def seen_column(period: str) -> str:
    return f"seen/{period}"


@dataclass(frozen=True)
class RatingUsage:
    """Where the rating-ready table is (``relation``: a FROM item of the ledger's DuckDB
    connection; ``path``: its file, None for an in-memory ledger) and what it holds."""

    relation: str
    path: Path | None
    cells: Mapping[tuple[str, str], int]  # (period, kind) -> largest quantity recorded

    @property
    def periods(self) -> tuple[str, ...]:
        return tuple(sorted({p for p, _ in self.cells}))

    def kinds_in(self, window: Sequence[str]) -> tuple[str, ...]:
        """The kinds recorded in the window's months, sorted."""
        return tuple(sorted({k for p, k in self.cells if p in window}))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def recorded_cells(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """(period, kind) -> largest quantity, from the ``usage`` view of ``con``."""
    rows = con.execute(
        "SELECT period, kind, max(quantity) FROM usage GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    return {(p, k): int(q) for p, k, q in rows}


def layout_sql(cells: Mapping[tuple[str, str], int]) -> str:
    """The SELECT that builds the table from the ``usage`` and ``subscriptions`` views."""
    periods = sorted({p for p, _ in cells})
    pivot = [
        f"sum(quantity) FILTER (WHERE period = {_literal(p)} AND kind = {_literal(k)})::BIGINT"
        f" AS {_quote(use_column(p, k))}"
        for p, k in sorted(cells)
    ]
    pivot += [f"bool_or(period = {_literal(p)}) AS {_quote(seen_column(p))}" for p in periods]
    wide = [f"coalesce(u.{_quote(use_column(p, k))}, 0) AS {_quote(use_column(p, k))}"
            for p, k in sorted(cells)]  # fmt: skip
    wide += [f"coalesce(u.{_quote(seen_column(p))}, false) AS {_quote(seen_column(p))}"
             for p in periods]  # fmt: skip
    subs = ", ".join(f"s.{c}" for c in SUBSCRIPTION_COLUMNS)
    joined = "subscriptions s"
    if pivot:
        # Every usage row lands in one cell: more rows than cells filled means a duplicate.
        filled = " + ".join(f"(u.{_quote(use_column(p, k))} IS NOT NULL)::BIGINT"
                            for p, k in sorted(cells))  # fmt: skip
        check = f"CASE WHEN u._rows > {filled} THEN error({_literal(DUPLICATE)}) END"
        subs = subs.replace(
            "s.subscription_id", f"coalesce({check}, s.subscription_id) AS subscription_id", 1
        )
        by_sub = (
            f"SELECT subscription_id, count(*) AS _rows, {', '.join(pivot)} "
            "FROM usage GROUP BY subscription_id"
        )
        joined = f"subscriptions s LEFT JOIN ({by_sub}) u USING (subscription_id)"
    return (
        "SELECT (row_number() OVER (ORDER BY s.subscription_id) - 1)::INTEGER AS sub_key, "
        f"{subs}{''.join(', ' + c for c in wide)} FROM {joined} ORDER BY s.subscription_id"
    )


def write_rating_usage(con: duckdb.DuckDBPyConnection, folder: Path) -> Path:
    """Build the table from ``con``'s ledger views into ``folder``: the cells' list
    (:data:`CELLS_FILE`) first, then the Parquet file, each written under a temporary
    name and renamed, so a reader that finds the table finds it whole."""
    cells = recorded_cells(con)
    _replace(folder / CELLS_FILE, lambda staged: staged.write_text(cells_json(cells)))
    _replace(
        folder / FILE,
        lambda staged: con.execute(
            f"COPY ({layout_sql(cells)}) TO {_literal(str(staged))} "
            f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP})"
        ),
    )
    return folder / FILE


def _replace(target: Path, write: Callable[[Path], object]) -> None:
    staged = target.with_name(f".{target.name}-{uuid.uuid4().hex[:8]}")
    try:
        write(staged)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def cells_json(cells: Mapping[tuple[str, str], int]) -> str:
    return json.dumps([[p, k, q] for (p, k), q in sorted(cells.items())]) + "\n"


def parse_cells(text: str, where: str) -> dict[tuple[str, str], int]:
    """The cells of a :data:`CELLS_FILE`'s text (``where`` names it in errors)."""
    try:
        return {(p, k): int(q) for p, k, q in json.loads(text)}
    except (ValueError, TypeError) as exc:
        raise LedgerError(f"{where} is not a list of usage cells ({exc}); ingest again") from exc


def read_cells(folder: Path) -> dict[tuple[str, str], int]:
    path = folder / CELLS_FILE
    return parse_cells(path.read_text(), str(path))


def rating_usage(ledger: Ledger) -> RatingUsage:
    """The ledger's rating-ready usage: its snapshot's file (built now if an older goodwill
    wrote the ledger), or a view over an in-memory ledger's tables."""
    raw = ledger.con.con
    if not (ledger.path / MANIFEST).exists():  # held in memory: compute it as a view
        cells = recorded_cells(raw)
        raw.execute(f"CREATE OR REPLACE TEMP VIEW _rating_usage AS {layout_sql(cells)}")
        return RatingUsage("_rating_usage", None, cells)
    snapshot = ledger.path.resolve()  # one snapshot for the whole run, even if re-ingested
    path = ensure_rating_usage(snapshot, raw)
    return RatingUsage(f"read_parquet({_literal(str(path))})", path, read_cells(snapshot))


def ensure_rating_usage(snapshot: Path, con: duckdb.DuckDBPyConnection) -> Path:
    """The table's file in a ledger snapshot folder, built now if an older goodwill wrote
    the ledger (``con``: a DuckDB connection with the ledger's views)."""
    path = snapshot / FILE
    if path.exists() and (snapshot / CELLS_FILE).exists():
        return path
    if not os.access(snapshot, os.W_OK):
        raise LedgerError(
            f"{snapshot} has no {FILE} (the ledger was written by an older goodwill) and the "
            "folder is read-only; run `goodwill ingest SOURCE_DIR` again to add it"
        )
    return write_rating_usage(con, snapshot)
