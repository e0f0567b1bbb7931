"""ibis 12.0.0 breaks with sqlglot >= 30.18 and duckdb 2.0 (DESIGN.md, dependency notes).

These tests fail loudly when a dependency moves, so the upgrade is a decision, not an accident.
"""

from __future__ import annotations

from importlib.metadata import version

import ibis


def test_the_analytics_stack_is_pinned_together() -> None:
    assert version("ibis-framework") == "12.0.0"
    assert version("duckdb") == "1.5.6"
    assert version("sqlglot") == "30.17.0"


def test_ibis_on_duckdb_round_trips_a_table() -> None:
    con = ibis.duckdb.connect()
    t = ibis.memtable({"k": ["a", "b", "a"], "v": [1, 2, 3]})
    result = con.execute(t.group_by("k").agg(total=t.v.sum()).order_by("k"))
    assert result.total.tolist() == [4, 2]
    # The path that broke with newer sqlglot: creating and dropping a temporary view.
    con.create_view("tmp_view", t, overwrite=True)
    con.drop_view("tmp_view")
    assert "tmp_view" not in con.list_tables()
