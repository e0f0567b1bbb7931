"""The advice report's sums and largest savings do not depend on how rows are batched."""

from __future__ import annotations

from itertools import pairwise

import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from goodwill.analytics.advice_report import TOP, _Tally

ROWS = st.lists(
    st.tuples(
        st.sampled_from(["GBP", "EUR", "USD"]),
        st.sampled_from([0, 1, 2]) | st.integers(-(2**40), 2**40),  # few values: many ties
        st.booleans(),
    ),
    max_size=40,
)


def _id(i: int) -> str:
    """Row ``i``'s id: ids out of row order, so a later batch can win a tie."""
    return f"S{i * 7919 % 1000:03d}"


def _batch(rows: list[tuple[int, str, int, bool]], coded: bool) -> pa.RecordBatch:
    """The rows as a batch; ``coded``: the currency as codes over the catalogue's
    currencies, those no row has among them (as ``goodwill advise`` hands its rows)."""
    currencies = [c for _, c, _, _ in rows]
    catalogue = pa.array(["EUR", "GBP", "USD", "JPY"])
    codes = pa.array([catalogue.to_pylist().index(c) for c in currencies], pa.int32())
    return pa.RecordBatch.from_pydict(
        {
            "subscription_id": [_id(i) for i, *_ in rows],
            "currency": pa.DictionaryArray.from_arrays(codes, catalogue) if coded else currencies,
            "monthly_saving_minor": pa.array([s for *_, s, _ in rows], pa.int64()),
            "annual_saving_minor": pa.array([12 * s for *_, s, _ in rows], pa.int64()),
            "in_contract": [b for *_, b in rows],
        }
    )


@settings(max_examples=200, deadline=None)
@given(ROWS, st.lists(st.integers(0, 40), max_size=6), st.booleans())
@example([("GBP", 1, False)] * 7, [5], False)  # a later batch wins ties on its ids
@example([("GBP", 1, False)] * 3, [], True)  # currencies no row has: no sums of theirs
def test_sums_and_the_largest_savings_of_any_batching_are_those_of_the_whole(
    drawn: list[tuple[str, int, bool]], cuts: list[int], coded: bool
) -> None:
    rows = [(i, *row) for i, row in enumerate(drawn)]
    bounds = sorted({0, len(rows), *(min(c, len(rows)) for c in cuts)})
    tally = _Tally()
    for start, end in pairwise(bounds):
        tally.add(_batch(rows[start:end], coded))
    expected: dict[str, list[int]] = {}
    for _, currency, saving, _ in rows:
        found = expected.setdefault(currency, [0, 0, 0])
        found[0] += 1
        found[1] += saving
        found[2] += 12 * saving
    assert tally.sums == expected
    assert tally.advised == len(rows)
    assert tally.in_contract == sum(b for *_, b in rows)
    largest = sorted(rows, key=lambda r: (-r[2], _id(r[0])))[:TOP]
    order = [("annual_saving_minor", "descending"), ("subscription_id", "ascending")]
    kept = pa.Table.from_batches(tally.top).sort_by(order) if tally.top else None
    got = [] if kept is None else kept.column("subscription_id").to_pylist()
    assert got == [_id(i) for i, *_ in largest]
