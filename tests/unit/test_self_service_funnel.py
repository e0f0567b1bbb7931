"""The self-service funnel: reached per step, where people stop, median time to done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from goodwill.analytics.self_service_funnel import JobRow, funnel, funnels

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def _job(kind: str, steps: tuple[str, ...], minutes: float | None) -> JobRow:
    done = minutes is not None
    return JobRow(kind, done, steps, T0, T0 + timedelta(minutes=minutes) if done else None)


def test_a_plan_switch_funnel() -> None:
    """5 started; 4 confirmed; 3 requested (done, in 2, 4 and 9 minutes: median 4); one
    stopped at started, one at confirmed."""
    rows = [
        _job("plan_switch", ("started", "confirmed", "requested"), 2),
        _job("plan_switch", ("started", "confirmed", "requested"), 4),
        _job("plan_switch", ("started", "confirmed", "requested"), 9),
        _job("plan_switch", ("started", "confirmed"), None),
        _job("plan_switch", ("started",), None),
    ]
    f = funnel("plan_switch", rows)
    assert f.started == 5 and f.done.value == 0.6
    assert [(s.step, s.reached, s.stopped_here) for s in f.steps] == [
        ("started", 5, 1), ("confirmed", 4, 1), ("requested", 3, 0), ("done", 3, 0),
    ]  # fmt: skip
    assert f.minutes_to_done.value == 4.0
    assert f.most_stop_at in {"started", "confirmed"}


def test_kinds_come_most_used_first_and_no_jobs_is_no_funnel() -> None:
    rows = [_job("lost_sim", ("started", "blocked"), None)] + [
        _job("plan_switch", ("started", "requested"), 1) for _ in range(3)
    ]
    assert [f.kind for f in funnels(rows)] == ["plan_switch", "lost_sim"]
    assert funnels([]) == []
    lost = funnels(rows)[1]
    assert lost.minutes_to_done.reason is not None and lost.most_stop_at == "blocked"


@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), min_size=1, max_size=40))
def test_reached_never_grows_down_the_funnel(jobs: list[tuple[int, bool]]) -> None:
    names = ("started", "confirmed", "checked", "requested")
    rows = [_job("k", names[: depth + 1], 1.0 if done else None) for depth, done in jobs]
    f = funnel("k", rows)
    reached = [s.reached for s in f.steps[:-1]]
    assert reached == sorted(reached, reverse=True)
    assert sum(s.stopped_here for s in f.steps) == sum(1 for _, done in jobs if not done)
