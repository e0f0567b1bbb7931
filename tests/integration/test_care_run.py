"""The care run end to end on a small sample operator: detect → decide → store → outbox."""

from __future__ import annotations

import gc
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from goodwill.analytics.detectors.registry import load_detectors
from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.services import care_run
from goodwill.services.care_run import run_care
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory
from goodwill.store.models import (
    Action,
    Assignment,
    BudgetSpend,
    Contact,
    Experiment,
    Message,
    Moment,
    Run,
)

ASOF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("care")
    write_sample(root / "sample", customers=800, months=8, seed=11, asof=ASOF)
    ingest(root / "sample", Settings(data_dir=root / "data"))
    return root / "data" / "ledger"


def settings_for(tmp_path: Path, ledger_dir: Path, store_url: str, **extra: object) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger").symlink_to(ledger_dir.resolve())
    return Settings(data_dir=data, store_url=store_url, outbox_dir=tmp_path / "outbox", **extra)  # type: ignore[arg-type]


def count(settings: Settings, model: type) -> int:
    engine = make_engine(settings.store_url or "")
    with session_factory(engine)() as session:
        n = session.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return n


def test_a_run_acts_and_a_rerun_the_same_day_adds_nothing(
    tmp_path: Path, ledger_dir: Path, store_url: str
) -> None:
    settings = settings_for(tmp_path, ledger_dir, store_url)
    first = run_care(settings, ASOF)
    found = sum(first.found.values())
    assert found > 50
    assert first.acted is not None
    acted = sum(n for (_, status), n in first.outcomes.items() if status == "acted")
    assert acted == first.acted.messages_queued > 0
    assert first.delivery is not None and first.delivery.sent == acted
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == acted
    before = {
        m.__name__: count(settings, m) for m in (Moment, Action, Message, Contact, Assignment)
    }
    assert before["Moment"] == found

    again = run_care(settings, ASOF)
    assert again.acted is not None
    assert again.acted.already_recorded == found
    assert again.acted.messages_queued == 0
    assert {
        m.__name__: count(settings, m) for m in (Moment, Action, Message, Contact, Assignment)
    } == before
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == acted
    assert count(settings, Run) == 2  # every run is recorded, even one that found nothing new


def test_credits_are_spent_from_the_budget_of_the_run_day_not_the_wall_clock(
    tmp_path: Path, ledger_dir: Path
) -> None:
    """A run for a past day (``--asof``) plans and spends within that day's month.

    ASOF is in November 2026; the run happens later, so the wall clock's month differs.
    """
    settings = settings_for(tmp_path, ledger_dir, f"sqlite:///{tmp_path / 'store.db'}")
    report = run_care(settings, ASOF, deliver_now=False)
    assert report.acted is not None and report.acted.credits_minor > 0
    engine = make_engine(settings.store_url or "")
    with session_factory(engine)() as session:
        spends = session.execute(select(BudgetSpend.period, BudgetSpend.amount_minor)).all()
    engine.dispose()
    assert {period for period, _ in spends} == {"2026-11"}
    assert sum(amount for _, amount in spends) == report.acted.credits_minor


def test_a_dry_run_decides_but_writes_and_sends_nothing(tmp_path: Path, ledger_dir: Path) -> None:
    settings = settings_for(tmp_path, ledger_dir, f"sqlite:///{tmp_path / 'store.sqlite'}")
    report = run_care(settings, ASOF, dry_run=True)
    assert run_care(settings, ASOF, dry_run=True).outcomes == report.outcomes  # same holdouts
    assert sum(report.outcomes.values()) == sum(report.found.values()) > 0
    assert count(settings, Moment) == 0 and count(settings, Run) == 0
    assert not (tmp_path / "outbox").exists()


def test_a_run_hands_back_the_cycle_collector_as_it_found_it(
    tmp_path: Path, ledger_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run switches Python's cycle collector off while it works (a tenth of its time
    at scale); on or off before, on or off after, whether it stored, only decided, or failed."""
    settings = settings_for(tmp_path, ledger_dir, f"sqlite:///{tmp_path / 'store.sqlite'}")
    seen: list[bool] = []
    real = care_run.customer_facts

    def facts_seeing_the_collector(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(care_run, "customer_facts", facts_seeing_the_collector)
    try:
        run_care(settings, ASOF, deliver_now=False)
        assert gc.isenabled() and seen == [False]
        gc.disable()
        run_care(settings, ASOF, dry_run=True)
        assert not gc.isenabled() and seen == [False, False]
    finally:
        gc.enable()
    monkeypatch.setattr(care_run, "customer_facts", lambda *_: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run_care(settings, ASOF, deliver_now=False)
    assert gc.isenabled()


def test_a_run_leaves_what_the_process_froze_frozen(tmp_path: Path, ledger_dir: Path) -> None:
    """A run hands what it still holds to the collector's oldest generation without a pass
    over it (through the permanent one) only where nothing else was frozen: the web app's
    warm objects stay out of the collector's way after a run in its process."""
    settings = settings_for(tmp_path, ledger_dir, f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert gc.get_freeze_count() == 0
    run_care(settings, ASOF, deliver_now=False)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    warm = [{"kept": "warm"}]  # as the web app's warm objects
    gc.collect()
    gc.freeze()
    try:
        run_care(settings, ASOF, deliver_now=False)
        assert gc.get_freeze_count() > 0
        assert gc.is_tracked(warm) and all(o is not warm for o in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(o is warm for o in gc.get_objects())  # the check above can tell


def test_holdouts_and_suppressed_moments_get_no_message(tmp_path: Path, ledger_dir: Path) -> None:
    settings = settings_for(
        tmp_path, ledger_dir, f"sqlite:///{tmp_path / 'store.sqlite'}", holdout_percent=30
    )
    run_care(settings, ASOF, deliver_now=False)
    engine = make_engine(settings.store_url or "")
    with session_factory(engine)() as session:
        acted_on = set(session.scalars(select(Action.moment_id)))
        rows = session.execute(
            select(Moment.id, Moment.kind, Moment.customer_id, Moment.status, Moment.reason)
        ).all()
        arms = {
            (kind, customer): arm
            for kind, customer, arm in session.execute(
                select(Experiment.kind, Assignment.customer_id, Assignment.arm).join(
                    Experiment, Experiment.id == Assignment.experiment_id
                )
            )
        }
    engine.dispose()
    withheld = [r for r in rows if r.status == "withheld"]
    suppressed = [r for r in rows if r.status == "suppressed"]
    assert withheld and suppressed
    assert not {r.id for r in withheld + suppressed} & acted_on  # no action, so no message
    assert all(arms[r.kind, r.customer_id] == "holdout" for r in withheld)
    assert all(
        ("consent" in r.reason) or ("email" in r.reason) or ("left" in r.reason) for r in suppressed
    )


PLUGIN = """
import ibis

class ThankReferrers:
    name = "thank_referrer"
    message_type = "care"
    mandatory = False
    gift = "message"

    def parameters(self, context):
        return {}

    def detect(self, context):
        c = context.ledger.table("customers")
        referrers = c.filter(c.referred_by.notnull()).select(customer_id=c.referred_by).distinct()
        return referrers.select(
            "customer_id",
            subscription_id=ibis.null().cast("string"),
            kind=ibis.literal("thank_referrer"),
            detected_for=ibis.literal(context.asof.isoformat()),
            value_to_customer_minor=ibis.literal(100),
            cost_to_business_minor=ibis.literal(0),
            currency=ibis.literal("GBP"),
            evidence=ibis.literal("{}"),
        )
"""


def test_a_third_party_detector_plugs_in_through_entry_points(
    tmp_path: Path, ledger_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "gw_thanks").mkdir(parents=True)
    (site / "gw_thanks" / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "gw_thanks-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: gw-thanks\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[goodwill.detectors]\nthank_referrer = gw_thanks:ThankReferrers\n"
    )
    monkeypatch.syspath_prepend(str(site))
    assert "thank_referrer" in [d.name for d in load_detectors()]

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "thank_referrer.subject.j2").write_text("Thank you, {{ name }}")
    (templates / "thank_referrer.txt.j2").write_text(
        "Hi {{ name }}, thanks for telling a friend about us."
    )
    (templates / "thank_referrer.html.j2").write_text(
        "<p>Hi {{ name }}, thanks for telling a friend about us.</p>"
    )
    settings = settings_for(
        tmp_path, ledger_dir, f"sqlite:///{tmp_path / 'store.sqlite'}", templates_dir=templates
    )
    report = run_care(settings, ASOF, detectors=["thank_referrer"])
    assert set(report.found) == {"thank_referrer"}
    assert report.outcomes["thank_referrer", "acted"] > 0
    sys.modules.pop("gw_thanks", None)
