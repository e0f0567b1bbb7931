"""Recovering a known truth: a past advice campaign simulated by the sample generator,
stored as the care run would have stored it, and measured by the scorecard.

Where the truths come from: ``truth.json``'s ``campaign_true_*`` keys are sample average
treatment effects over the eligible customers, computed from each customer's two simulated
potential outcomes (advised and held out, the same random draws);
``churn_hazard_ratio_overpaying`` (1.6) is the generator's parameter, re-estimated from
``campaign_overpaying_tally`` (whole months at risk with every other hazard ratio at 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from goodwill.analytics.scorecard import build_scorecard
from goodwill.analytics.scorecard.experiment_metrics import POST_MONTHS
from goodwill.analytics.scorecard.learning import experiment_lifts
from goodwill.analytics.scorecard.store_reads import experiment_arms
from goodwill.analytics.scorecard.window import Window
from goodwill.domain.experiments import assign_arm
from goodwill.domain.stats import LiftResult, SampleStats, lift_test
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import open_ledger
from goodwill.sample import CampaignParams, generate_sample, record_campaign, write_sample
from goodwill.sample.campaign_outcome import REVENUE_MONTHS
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory
from goodwill.store.models import Action, Assignment, Contact, Experiment, Moment, Run

ASOF = date(2026, 11, 23)
#: A 50% holdout gives the comparison its best power for a given number of customers.
CAMPAIGN = CampaignParams(holdout_percent=50)
#: Each scorecard lift, and the truth.json key of what it estimates.
TRUTH_OF = {
    "retained_90d": "campaign_true_retained_90d_difference",
    "retained_180d": "campaign_true_retained_180d_difference",
    "net_revenue_minor": "campaign_true_net_revenue_difference_minor",
    "net_revenue": "campaign_true_net_revenue_relative",
}

Pipeline = tuple[Path, Settings, Engine, dict[str, Any]]


def run_pipeline(root: Path, seed: int, customers: int) -> Pipeline:
    """Write the sample with its campaign, ingest it, and record the campaign in a store."""
    write_sample(root / "source", customers=customers, seed=seed, asof=ASOF, campaign=CAMPAIGN)
    settings = Settings(data_dir=root / "data")
    ingest(root / "source", settings)
    engine = make_engine(f"sqlite:///{root / 'store.sqlite'}")
    record_campaign(root / "source", engine)
    truth = json.loads((root / "source" / "truth.json").read_text(encoding="utf-8"))
    return root, settings, engine, truth


def overpaying_ratio(truth: dict[str, Any]) -> LiftResult:
    """Churn in overpaying months relative to other months (delta method): ratio - 1."""
    tally = truth["campaign_overpaying_tally"]
    months, leavers = tally["months"], tally["leavers"]
    control, overpaying = (SampleStats(int(months[i]), leavers[i], leavers[i]) for i in (0, 1))
    return lift_test(control, overpaying, relative=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """4,000 customers; the campaign 7 months before asof, half held out."""
    found = run_pipeline(tmp_path_factory.mktemp("campaign"), seed=11, customers=4_000)
    yield found
    found[2].dispose()


@pytest.fixture(scope="module")
def lifts(world: Pipeline) -> dict[str, LiftResult]:
    _, settings, engine, _ = world
    card = build_scorecard(open_ledger(settings.ledger_dir), ASOF, settings, engine, False)
    learning = card.perspective("learning")
    return {lift.metric: lift.result for lift in learning.lifts if lift.kind == "better_plan"}


def test_the_campaign_is_stored_as_the_care_run_stores_it(world: Pipeline) -> None:
    _, _, engine, truth = world
    with session_factory(engine)() as session:
        run = session.scalars(select(Run)).one()
        experiment = session.scalars(select(Experiment)).one()
        moments = session.scalars(select(Moment)).all()
        arms = dict(session.execute(select(Assignment.customer_id, Assignment.arm)).all())
        actions = session.scalar(select(func.count()).select_from(Action))
        contacts = session.scalar(select(func.count()).select_from(Contact))
    assert run.asof.isoformat() == truth["campaign_date"] == "2026-04-01"
    assert (experiment.kind, experiment.salt) == ("better_plan", CAMPAIGN.salt)
    assert experiment.holdout_share_percent == 50
    assert len(moments) == truth["campaign_eligible_subscriptions"]
    assert len(arms) == truth["campaign_eligible_customers"]
    assert all(arm == assign_arm(CAMPAIGN.salt, cid, 50) for cid, arm in arms.items())
    acted = [m for m in moments if m.status == "acted"]
    assert {m.status for m in moments} == {"acted", "withheld"}
    assert all(arms[m.customer_id] == "treatment" for m in acted)
    assert all(m.dedupe_key == f"better_plan:{m.subscription_id}:2026-04" for m in moments)
    assert actions == contacts == len(acted)
    assert sum(a == "holdout" for a in arms.values()) == truth["campaign_held_out_customers"]


def test_recording_twice_adds_nothing(world: Pipeline) -> None:
    root, _, engine, _ = world
    again = record_campaign(root / "source", engine)
    assert again.acted == again.withheld == 0


@pytest.mark.parametrize("metric", sorted(TRUTH_OF))
def test_the_scorecard_lift_covers_the_true_effect(
    lifts: dict[str, LiftResult], world: Pipeline, metric: str
) -> None:
    truth = world[3][TRUTH_OF[metric]]
    result = lifts[metric]
    assert result.reason is None
    assert result.covers(truth), (metric, truth, result.ci_low, result.estimate, result.ci_high)


def test_advice_lowers_revenue_and_churn(world: Pipeline, lifts: dict[str, LiftResult]) -> None:
    """Not a coverage check: the designed effect is large enough to see in one sample."""
    truth = world[3]
    assert truth["campaign_true_net_revenue_difference_minor"] < 0
    assert truth["campaign_true_retained_180d_difference"] > 0
    assert (lifts["net_revenue_minor"].ci_high or 0) < 0


def test_the_overpaying_churn_ratio_covers_the_parameter(world: Pipeline) -> None:
    truth = world[3]
    result = overpaying_ratio(truth)
    assert result.covers(truth["churn_hazard_ratio_overpaying"] - 1), result


def test_revenue_truth_counts_the_months_the_scorecard_counts() -> None:
    assert REVENUE_MONTHS == POST_MONTHS


def test_the_actual_world_is_each_customers_arm() -> None:
    sample = generate_sample(2_000, seed=3, asof=ASOF, campaign=CAMPAIGN)
    o = sample.campaign
    assert o is not None
    left = sample.customers.left_s[o.eligible]
    treated = o.plan.treated[o.eligible]
    assert (left[treated] == o.left_worlds[1, o.eligible][treated]).all()
    assert (left[~treated] == o.left_worlds[0, o.eligible][~treated]).all()


def test_a_campaign_needs_usage_before_it() -> None:
    with pytest.raises(ValueError, match="months >= 10"):
        generate_sample(100, months=9, asof=ASOF, campaign=CampaignParams(months_before_asof=7))


@pytest.mark.slow
def test_the_95_percent_intervals_cover_the_truth_in_about_95_percent_of_samples(
    tmp_path: Path,
) -> None:
    """20 seeds of 2,500 customers, through ingest, the store and the scorecard's lift code.

    If every interval covered with probability 0.95, P(at most 15 of 20) = 0.016.
    """
    covered: dict[str, int] = dict.fromkeys([*TRUTH_OF, "overpaying"], 0)
    for seed in range(20):
        _, settings, engine, truth = run_pipeline(tmp_path / str(seed), seed, 2_500)
        ledger = open_ledger(settings.ledger_dir)
        arms = experiment_arms(engine)
        engine.dispose()
        for lift in experiment_lifts(ledger, Window(ASOF), "better_plan", arms, {}):
            if lift.metric in TRUTH_OF:
                covered[lift.metric] += lift.result.covers(truth[TRUTH_OF[lift.metric]])
        ratio = overpaying_ratio(truth)
        covered["overpaying"] += ratio.covers(truth["churn_hazard_ratio_overpaying"] - 1)
    assert all(n >= 16 for n in covered.values()), covered
