"""The advice email says what the line really cost and why, as `goodwill advise` and the
my-plan page do, and what both plans include."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import goodwill.cli.advise
import goodwill.cli.run  # noqa: F401
from goodwill.cli import app
from goodwill.domain.formatting import format_money
from goodwill.ledger.ingest import ingest
from goodwill.settings import Settings
from goodwill.store import make_engine
from goodwill.store.models import Moment
from tests.integration.test_web_my_plan_cost import talker_periods, talker_source
from tests.integration.web_support import emails_in


@pytest.fixture(params=["long ago", "minutes into the first month"])
def data(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Ann's ledger; in the second, S1 started 16 minutes into the first day of the window's
    first month: live on that day, so the month counts, for the advice and for the email."""
    started = "2024-01-03T10:00:00Z"
    if request.param != "long ago":
        started = f"{talker_periods()[0]}-01T00:16:47Z"
    ingest(talker_source(tmp_path / "source", started), Settings(data_dir=tmp_path / "data"))
    return tmp_path / "data"


def test_the_advice_email_states_the_cost_and_the_reason_advise_gives(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOODWILL_HOLDOUT_PERCENT", "0")  # Ann gets the message, not the holdout
    out = tmp_path / "advice.csv"
    runner = CliRunner()
    advised = runner.invoke(app, ["advise", "--data", str(data), "--out", str(out)])
    assert advised.exit_code == 0, advised.output
    with out.open() as f:
        line = next(r for r in csv.DictReader(f) if r["subscription_id"] == "S1")
    ran = runner.invoke(app, ["run", "--data", str(data)])
    assert ran.exit_code == 0, ran.output

    engine = make_engine(f"sqlite:///{data / 'goodwill.sqlite'}")
    with engine.connect() as connection:
        evidence = connection.execute(
            select(Moment.evidence).where(Moment.kind == "better_plan")
        ).scalar_one()
    engine.dispose()
    evidence = evidence if isinstance(evidence, dict) else json.loads(evidence)
    assert int(line["months_considered"]) == 6
    assert evidence["over_kinds"] == ["voice_min"]
    assert evidence["rated_monthly_cost_minor"] == int(line["current_monthly_cost_minor"])

    texts = [t for to, subject, t in emails_in(data / "outbox") if "ann@example.com" in to]
    advice = next(t for t in texts if "Goodybag 10" in t and "a month less" in t)
    advice = advice.replace("\r\n", "\n")
    cost = format_money(int(line["current_monthly_cost_minor"]), "GBP")
    assert f"about {cost} a month, because of calls over your 500 minutes." in advice
    assert "What Goodybag 7.50 includes each month:\n  - Data: 3.0 GB (no more after that)" in (
        advice
    )
    assert "  - Calls: 500 minutes, then 25p a minute" in advice
    assert "What Goodybag 10 includes each month:" in advice and "  - Calls: unlimited" in advice
    saving = format_money(int(line["monthly_saving_minor"]), "GBP")
    assert f"{saving} a month less" in advice
