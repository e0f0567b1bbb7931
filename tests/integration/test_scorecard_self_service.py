"""The scorecard's self-service figures come from the jobs the web app records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from goodwill.analytics.scorecard import build_scorecard
from goodwill.domain.stats import quantile_estimate
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import open_ledger
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.models import Job, JobStatus

ASOF = date(2026, 11, 23)


def test_completion_rate_and_time_to_done(tmp_path: Path, good_source: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    ingest(good_source, settings)
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        for minutes in (1, 2, 30):  # three finished journeys
            done = start + timedelta(minutes=minutes)
            session.add(
                Job(
                    customer_id="C1",
                    kind="lost_sim",
                    status=JobStatus.DONE,
                    steps=[],
                    started_at=start,
                    finished_at=done,
                )
            )
        session.add(
            Job(
                customer_id="C2",
                kind="plan_switch",
                status=JobStatus.STARTED,
                steps=[],
                started_at=start,
            )
        )
        session.add(
            Job(
                customer_id="C2",
                kind="plan_switch",
                status=JobStatus.DONE,
                steps=[],
                started_at=start - timedelta(days=400),
                finished_at=start,
            )
        )
    card = build_scorecard(open_ledger(settings.ledger_dir), ASOF, settings, engine, False)
    engine.dispose()
    figures = {f.key: f.estimate for p in card.perspectives for f in p.figures}
    completion = figures["self_service_completion"]
    assert (completion.value, completion.n) == (
        0.75,
        4,
    )  # the job from last year is outside the window
    assert figures["self_service_minutes_median"].value == 2.0
    assert figures["self_service_minutes_median"].n == 3


def test_a_quantile_of_nothing_is_missing_not_zero() -> None:
    empty = quantile_estimate([], 0.5, "journeys")
    assert empty.value is None and empty.reason == "no journeys"
    many = quantile_estimate(list(range(1, 101)), 0.5)
    assert many.value == 50 and many.ci_low is not None and many.ci_high is not None
    assert many.ci_low < 50 < many.ci_high
