"""The scorecard on the sample operator, with a store holding one holdout experiment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from goodwill.analytics.scorecard import Scorecard, build_scorecard
from goodwill.cli.app import app
from goodwill.domain.experiments import assign_arm
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings
from goodwill.store import (
    ensure_experiment,
    make_engine,
    record_assignment,
    session_factory,
    upgrade,
)

ASOF = date(2026, 11, 23)
ASSIGNED = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, Settings, Engine]]:
    """1,500 sample customers; every one active on 2 March 2026 assigned to better_plan's
    arms by the care run's hash (30% holdout), with no effect of the gift."""
    root = tmp_path_factory.mktemp("scorecard")
    write_sample(root / "source", customers=1_500, months=12, seed=3, asof=ASOF)
    settings = Settings(data_dir=root / "data")
    ingest(root / "source", settings)
    ledger = open_ledger(settings.ledger_dir)
    engine = make_engine(f"sqlite:///{root / 'data' / 'goodwill.sqlite'}")
    upgrade(engine)
    customers = ledger.table("customers")
    active = customers.filter(
        (customers.joined_at < ASSIGNED)
        & (customers.left_at.isnull() | (customers.left_at > ASSIGNED))
    )
    with session_factory(engine)() as session:
        experiment = ensure_experiment(session, "better_plan", holdout_share_percent=30, salt="bp")
        for cid in active.customer_id.to_pyarrow().to_pylist():
            record_assignment(session, experiment.id, cid, assign_arm("bp", cid, 30), now=ASSIGNED)
        session.commit()
    yield ledger, settings, engine
    engine.dispose()


@pytest.fixture(scope="module")
def card(world: tuple[Ledger, Settings, Engine]) -> Scorecard:
    ledger, settings, engine = world
    return build_scorecard(ledger, ASOF, settings, engine)


def test_every_figure_has_n_and_an_interval_or_a_reason(card: Scorecard) -> None:
    exact = {"revenue", "goodwill_spent", "advice_handed_back"}
    for perspective in card.perspectives:
        assert perspective.reading, perspective.name
        for figure in perspective.figures:
            est = figure.estimate
            if est.value is None:
                assert est.reason, figure.key
            elif figure.key not in exact:
                assert est.ci_low is not None and est.ci_low <= est.value <= (est.ci_high or 0), (
                    figure.key
                )
                assert est.n > 0, figure.key


def test_customer_figures_are_plausible(card: Scorecard) -> None:
    customer = card.perspective("customer")
    retention = customer.figure("retention_12m").estimate
    assert retention.n == 1_500 and 0.5 < (retention.value or 0) < 1
    nps = customer.figure("nps").estimate
    assert nps.value is not None and -100 <= nps.value <= 100
    fair = customer.figure("fair_price").estimate
    assert fair.n > 500 and 0 < (fair.value or 0) < 1
    assert customer.curves[0].km.at(12).value == retention.value


def test_null_experiment_lifts_cover_zero(card: Scorecard) -> None:
    """With no effect, the 95% intervals of the lifts should cover 0 (this seed does)."""
    lifts = {lift.metric: lift for lift in card.perspective("learning").lifts}
    assert set(lifts) >= {"retained_90d", "retained_180d", "net_revenue", "referrals", "nps_score"}
    for metric in ("retained_90d", "retained_180d", "net_revenue_minor"):
        result = lifts[metric].result
        assert result.n_control > 100 and result.n_treatment > 2 * result.n_control
        assert result.covers(0.0), metric
    assert (lifts["net_revenue_minor"].variance_reduction or 0) > 0.2  # CUPED helps


def test_json_round_trips(card: Scorecard) -> None:
    data = json.loads(json.dumps(card.as_dict()))
    assert [p["name"] for p in data["perspectives"]] == [
        "customer",
        "financial",
        "process",
        "learning",
    ]
    assert data["perspectives"][0]["curves"][0]["survival"][0] == 1.0


def test_cli_table_json_and_html(world: tuple[Ledger, Settings, Engine], tmp_path: Path) -> None:
    import goodwill.cli.scorecard  # noqa: F401  (registers the command until cli/__init__ does)

    _, settings, _ = world
    base = [
        "scorecard",
        "--asof",
        ASOF.isoformat(),
        "--data",
        str(settings.data_dir),
        "--no-advice",
    ]
    runner = CliRunner()
    table = runner.invoke(app, base)
    assert table.exit_code == 0, table.output
    assert "Net Promoter Score" in table.output and "95% CI" in table.output
    as_json = runner.invoke(app, [*base, "--format", "json"])
    assert json.loads(as_json.output)["asof"] == ASOF.isoformat()
    out = tmp_path / "card.html"
    html = runner.invoke(app, [*base, "--format", "html", "--out", str(out)])
    assert html.exit_code == 0, html.output
    page = out.read_text()
    assert "Plotly.newPlot" in page and "<script src" not in page  # no CDN: JS inlined
    assert len(page) > 1_000_000 and "Retention by joining cohort" in page
    bad = runner.invoke(app, [*base, "--format", "pdf"])
    assert bad.exit_code == 1 and "choose one of" in bad.output
