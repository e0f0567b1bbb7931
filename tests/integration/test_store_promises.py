"""Promises goodwill makes itself (a replacement SIM ordered in self-service) are kept too:
a late one is a broken promise, unless the operator's feed says it arrived on time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from goodwill.ledger.ingest import ingest
from goodwill.services.care_run import run_care
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.models import Promise
from tests.conftest import GOOD_SOURCE, write_source

ASOF = date(2026, 11, 23)
MADE, DUE = datetime(2026, 11, 19, 10, tzinfo=UTC), datetime(2026, 11, 20, 18, tzinfo=UTC)


def prepare(tmp_path: Path, ledger_promises: str | None) -> Settings:
    tables = dict(GOOD_SOURCE)
    if ledger_promises is not None:
        tables["promises"] = ledger_promises
    settings = Settings(
        data_dir=tmp_path / "data", outbox_dir=tmp_path / "outbox", holdout_percent=0
    )
    ingest(write_source(tmp_path / "source", tables), settings)
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'goodwill.sqlite'}")
    upgrade(engine)
    with session_factory(engine).begin() as session:
        session.add(Promise(customer_id="C1", kind="sim_delivery", made_at=MADE, due_at=DUE))
    engine.dispose()
    return settings


def test_a_late_replacement_sim_is_a_broken_promise(tmp_path: Path) -> None:
    report = run_care(
        prepare(tmp_path, None), ASOF, deliver_now=False, detectors=["broken_promise"]
    )
    [moment] = [d.moment for d in report.decisions]
    assert (moment.customer_id, moment.subscription_id) == ("C1", "web-1")
    assert moment.cost_to_business_minor > 0
    assert moment.evidence["days_late"] == 3  # due on the 20th, not kept by the end of the 23rd
    assert str(moment.evidence["summary"]).startswith(
        "Your new SIM was promised for 20 November 2026"
    )


def test_the_operators_feed_wins_once_it_reports_the_delivery(tmp_path: Path) -> None:
    kept = "promise_id,customer_id,kind,made_at,due_at,kept_at\nweb-1,C1,sim_delivery,2026-11-19T10:00:00Z,2026-11-20T18:00:00Z,2026-11-20T11:00:00Z\n"
    report = run_care(
        prepare(tmp_path, kept), ASOF, deliver_now=False, detectors=["broken_promise"]
    )
    assert report.found["broken_promise"] == 0
