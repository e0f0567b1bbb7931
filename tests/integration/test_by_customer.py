"""The rows held by customer answer every point read exactly as the ledger's SQL does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from goodwill.analytics.advice_batch import rate_batch
from goodwill.analytics.customer_advice import customer_advice
from goodwill.ledger import by_customer as held_rows
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings
from goodwill.web import ledger_reads
from goodwill.web.views import me

ASOF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("by-customer")
    write_sample(folder / "source", customers=600, months=14, seed=11, asof=ASOF)
    settings = Settings(data_dir=folder / "data")
    ingest(folder / "source", settings)
    return settings


def _ledger(settings: Settings) -> Ledger:
    return open_ledger(settings.ledger_dir)


def _customers(ledger: Ledger) -> list[str]:
    rows = ledger.con.con.execute("SELECT customer_id FROM customers ORDER BY 1").fetchall()
    return [str(r[0]) for r in rows]


def _reads(ledger: Ledger, customer: str) -> tuple[object, ...]:
    subs = ledger_reads.subscriptions(ledger, customer)
    ids = [s["subscription_id"] for s in subs]
    use = [r for r in ledger_reads.usage(ledger, ids) if r["quantity"]]  # held: 0 left out
    advice = customer_advice(ledger, ASOF, Settings(), customer)
    return ledger_reads.customer(ledger, customer), subs, use, advice


def _sql_reads(
    ledger: Ledger, customer: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[object, ...]:
    with monkeypatch.context() as m:  # the other path: what a ledger not held reads
        m.setattr(ledger_reads, "by_customer", lambda _: None)
        m.setattr("goodwill.analytics.customer_advice.by_customer", lambda _: None)
        return _reads(ledger, customer)


def test_every_customers_rows_held_are_their_rows_in_the_ledger(
    folder: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = _ledger(folder)
    assert held_rows.by_customer(ledger) is not None
    customers = _customers(ledger)
    advised = used = 0
    for customer in [*customers, "no such customer", "C\x00"]:
        held, sql = _reads(ledger, customer), _sql_reads(ledger, customer, monkeypatch)
        assert held == sql, customer
        used += bool(held[2])
        advised += bool(held[3])
    assert len(customers) == 600 and used > 400 and advised > 20


def test_a_read_older_than_the_months_held_reads_the_ledger(
    folder: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(held_rows, "HELD_MONTHS", 2)
    monkeypatch.setattr(held_rows, "_ROWS", held_rows.PerSnapshot(keep=2))
    ledger = _ledger(folder)
    rows = held_rows.by_customer(ledger)
    assert rows is not None and len(rows.held) == 2 and rows.older_than_held()
    for customer in _customers(ledger)[:80]:
        assert _reads(ledger, customer) == _sql_reads(ledger, customer, monkeypatch), customer


def test_the_use_held_as_numpy_is_the_tables_own_memory(folder: Settings) -> None:
    rows = held_rows.by_customer(_ledger(folder))
    assert rows is not None and rows.use and set(rows.seen) == set(rows.held)
    for (period, kind), values in rows.use.items():
        column = rows.lines.table.column(f"use/{period}/{kind}").chunk(0)
        assert values.tolist() == column.to_pylist()  # every line, in the table's order
        start = column.buffers()[1].address + column.offset * values.itemsize
        assert values.ctypes.data == start, (period, kind)  # a view: nothing held twice


def test_a_new_snapshot_is_read_afresh(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    write_sample(tmp_path / "one", customers=50, months=6, seed=1, asof=ASOF)
    ingest(tmp_path / "one", settings)
    first = ledger_reads.customer(_ledger(settings), "C000001")
    write_sample(tmp_path / "two", customers=50, months=6, seed=2, asof=ASOF)
    ingest(tmp_path / "two", settings)
    second = ledger_reads.customer(_ledger(settings), "C000001")
    assert first is not None and second is not None and first["name"] != second["name"]


def test_serve_prepares_every_line_before_the_first_customer_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    write_sample(tmp_path / "source", customers=120, months=8, seed=5, asof=ASOF)
    ingest(tmp_path / "source", settings)
    me.prepare(settings, ASOF).join(timeout=120)
    rated: list[int] = []

    def counted(job: object, batch: pa.RecordBatch) -> pa.RecordBatch:
        rated.append(batch.num_rows)
        return rate_batch(job, batch)  # type: ignore[arg-type]

    monkeypatch.setattr("goodwill.analytics.customer_advice.rate_batch", counted)
    ledger = open_ledger(settings.ledger_dir.resolve())
    advised = [c for c in _customers(ledger) if customer_advice(ledger, ASOF, settings, c)]
    assert advised and rated == []  # every answer was rated ahead, none on the request


def test_a_request_does_not_wait_while_another_rates_the_held_lines(folder: Settings) -> None:
    from goodwill.analytics import customer_advice as module

    ledger = open_ledger(folder.ledger_dir.resolve())
    day = date(2026, 11, 30)  # a day no other test rated
    customers = _customers(ledger)[:60]
    with ThreadPoolExecutor(1) as pool, module._RATING_HELD:  # another request rates them
        asked = pool.submit(
            lambda: [customer_advice(ledger, day, Settings(), c) for c in customers]
        )
        alone = asked.result(timeout=60)  # it answers without waiting for that rating
    held = [customer_advice(ledger, day, Settings(), c) for c in customers]  # rated now
    assert alone == held and any(held)
    held[next(i for i, h in enumerate(held) if h)].clear()  # a caller's copy, not the rows kept
    assert [customer_advice(ledger, day, Settings(), c) for c in customers] == alone
