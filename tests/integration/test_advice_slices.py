"""Re-rating in slices gives exactly the advice of re-rating everything at once."""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from goodwill.analytics.advice import better_plan, plan_advice, rated_advice
from goodwill.analytics.monthly_use import active_count
from goodwill.analytics.slices import Slice, slice_count
from goodwill.errors import ConfigError
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.ledger.sample import write_sample
from goodwill.settings import Settings

ASOF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    folder = tmp_path_factory.mktemp("slices")
    write_sample(folder / "source", customers=1_200, months=8, seed=5, asof=ASOF)
    settings = Settings(data_dir=folder / "data")
    ingest(folder / "source", settings)
    return open_ledger(settings.ledger_dir)


def _rows(table: ibis.Table) -> list[dict[str, object]]:
    return table.order_by("subscription_id").to_pyarrow().to_pylist()


def test_advice_rated_in_slices_is_the_advice_rated_whole(ledger: Ledger) -> None:
    per_slice = 300
    whole = _rows(plan_advice(ledger, ASOF, Settings(), advised_only=False))
    sliced = _rows(
        rated_advice(ledger, ASOF, Settings(rating_slice_subscriptions=per_slice), name="_s")
    )
    assert slice_count(active_count(ledger, ASOF), per_slice) >= 4
    assert len(whole) > 800 and sum(bool(r["advised"]) for r in whole) > 100
    assert sliced == whole


def test_better_plan_moments_do_not_depend_on_the_slices(ledger: Ledger) -> None:
    once = _rows(better_plan(ledger, ASOF, Settings(rating_slice_subscriptions=0)))
    sliced = _rows(better_plan(ledger, ASOF, Settings(rating_slice_subscriptions=250)))
    assert len(once) > 100 and sliced == once


@hyp_settings(max_examples=40, deadline=None)
@given(
    ids=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=60, unique=True),
    count=st.integers(1, 9),
)
def test_every_subscription_is_in_exactly_one_slice(ids: list[str], count: int) -> None:
    table = ibis.memtable(pa.table({"subscription_id": ids}))
    flags = {
        f"in_{i}": Slice(i, count).keeps(table.subscription_id).cast("int64") for i in range(count)
    }
    found = ibis.duckdb.connect().to_pyarrow(table.select(**flags)).to_pylist()
    assert all(sum(row.values()) == 1 for row in found)


@pytest.mark.parametrize(
    ("subscriptions", "per_slice", "expected"),
    [(0, 10, 1), (10, 10, 1), (11, 10, 2), (20, 10, 2), (21, 10, 3), (10**7, 0, 1)],
)
def test_slice_count_keeps_each_slice_within_its_size(
    subscriptions: int, per_slice: int, expected: int
) -> None:
    assert slice_count(subscriptions, per_slice) == expected


@pytest.mark.parametrize(("index", "count"), [(3, 3), (-1, 2), (0, 0)])
def test_a_slice_that_does_not_exist_is_refused(index: int, count: int) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Slice(index, count)
