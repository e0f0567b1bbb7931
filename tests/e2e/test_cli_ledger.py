"""The ledger commands in-process, as a user types them."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from goodwill.cli import app
from tests.conftest import GOOD_SOURCE, write_source

runner = CliRunner()


def test_ingest_prints_a_summary_per_table(tmp_path: Path, good_source: Path) -> None:
    result = runner.invoke(app, ["ingest", str(good_source), "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert "subscriptions" in result.output
    assert "Ledger:" in result.output
    assert (tmp_path / "data" / "ledger" / "_manifest.json").exists()


def test_ingest_with_too_many_bad_rows_exits_non_zero_and_names_the_row(tmp_path: Path) -> None:
    source = write_source(
        tmp_path / "src", {**GOOD_SOURCE, "bills": GOOD_SOURCE["bills"] + "C3,2026-01,-1,GBP\n"}
    )
    result = runner.invoke(app, ["ingest", str(source), "--data", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert 'bills.csv row 4: amount "-1" is negative' in " ".join(result.output.split())
    assert not (tmp_path / "data" / "ledger").exists()


def test_the_data_folder_comes_from_the_environment(tmp_path: Path, good_source: Path) -> None:
    env = {"GOODWILL_DATA_DIR": str(tmp_path / "from-env")}
    result = runner.invoke(app, ["ingest", str(good_source)], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "from-env" / "ledger").is_symlink()


def test_a_bad_option_value_is_a_clear_error(tmp_path: Path, good_source: Path) -> None:
    result = runner.invoke(
        app, ["ingest", str(good_source), "--data", str(tmp_path), "--max-bad-fraction", "3"]
    )
    assert result.exit_code == 1
    assert "setting max_bad_fraction=3.0" in result.output


def test_contract_prints_the_documented_contract() -> None:
    result = runner.invoke(app, ["contract"])
    assert result.exit_code == 0
    doc = (Path(__file__).parents[2] / "docs" / "ledger.md").read_text()
    assert result.output == doc


def test_sample_writes_every_table_and_the_truth(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    args = [
        "sample",
        str(out),
        "--customers",
        "300",
        "--months",
        "6",
        "--seed",
        "3",
        "--asof",
        "2026-11-23",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    for table in ("customers", "subscriptions", "plans", "plan_allowances", "usage", "bills"):
        assert (out / f"{table}.csv").stat().st_size > 0
    assert (out / "truth.json").exists()
    assert "would save on another plan" in result.output


def test_sample_rejects_a_bad_date(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample", str(tmp_path), "--asof", "23/11/2026"])
    assert result.exit_code == 2
    assert "is not a date written YYYY-MM-DD" in result.output


def test_demo_makes_ingests_and_summarises_a_sample(tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = ["demo", "--data", str(data), "--customers", "400", "--asof", "2026-11-23"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "400 customers" in text
    assert "0 rows quarantined" in text
    assert (data / "ledger" / "_manifest.json").exists()
    # The broken promise is shown as the customer reads it, never as the billing webhook.
    assert "A broken promise" in text and '"idempotency_key"' not in text
    worth = re.search(r"A new customer is worth about £([\d,.]+) over five years", text)
    assert worth is not None and float(worth.group(1).replace(",", "")) < 10_000
    assert re.search(r"Goodwill budget for broken-promise credits in [A-Z][a-z]+ 2026: £", text)
    _assert_the_demo_team_signs_in_and_owns_cases(data, text)


def _assert_the_demo_team_signs_in_and_owns_cases(data: Path, text: str) -> None:
    """Every seeded agent has a desk login (seniors lead), and the printed lead is on the
    roster: "Assign to me" works for them and "Mine" counts it."""
    from sqlalchemy import select

    from goodwill.settings import Settings
    from goodwill.store import make_engine, session_factory, store_url_for
    from goodwill.store.models import Agent, StaffUser
    from goodwill.web.app import create_app
    from tests.integration.web_support import TestClient, csrf_of

    panel = " ".join(text.replace("│", " ").split())  # the panel's borders taken out
    login = re.search(r"sign in as (\S+@care\.example) \(a lead\).*? with password (\S+)", panel)
    assert login is not None, panel
    lead_email, password = login.groups()
    settings = Settings(data_dir=data)
    engine = make_engine(store_url_for(settings))
    with session_factory(engine)() as session:
        team = session.execute(select(Agent, StaffUser).outerjoin(StaffUser)).all()
    engine.dispose()
    assert len(team) == 12 and all(user is not None for _, user in team)
    assert {(a.team, u.role) for a, u in team} == {("care", "agent"), ("senior", "lead")}
    assert all(u.monthly_allowance_minor > 0 and u.email == a.email for a, u in team)
    assert lead_email in {u.email for _, u in team if u.role == "lead"}
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        form = client.get("/desk/login").text
        signed_in = client.post(
            "/desk/login",
            data={"email": lead_email, "password": password, "csrf_token": csrf_of(form)},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        queue = client.get("/api/desk/queue").json()
        case = next(i for i in queue["items"] if i["kind"] == "case")
        csrf = csrf_of(client.get("/desk/queue").text)
        mine = client.post(
            f"/desk/queue/cases/{case['case_id']}/assign", data={"csrf_token": csrf, "agent": "me"}
        )
        assert mine.status_code == 200, mine.text
        assert client.get("/api/desk/queue").json()["counts"]["mine"] >= 1
