"""My plan says what the line really cost and why, and agrees with `goodwill advise`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import goodwill.cli.advise  # noqa: F401  (registers the command)
from goodwill.cli import app
from goodwill.domain.formatting import format_money
from goodwill.ledger.ingest import ingest
from goodwill.settings import Settings
from goodwill.web.views.words import month_words
from tests.conftest import write_source
from tests.integration.web_support import Web, make_web, recent_periods, sign_in_customer


def talker_source(folder: Path, started_at: str = "2024-01-03T10:00:00Z") -> Path:
    """Ann's line S1 is on P-750 (500 minutes, then 25p): she talks 640 and 660 minutes a
    month, so it costs £42.50 and £47.50, not £7.50; P-1000 (£10, unlimited) fits.
    ``started_at``: when S1 started (a month counts if it was live on its first day)."""
    periods = talker_periods()
    minutes = [640, 660, 640, 660, 640, 660]
    usage = ["subscription_id,period,kind,quantity"] + [
        f"S1,{p},voice_min,{m}\nS1,{p},data_mb,1200\nS1,{p},sms_onnet,30"
        for p, m in zip(periods, minutes, strict=True)
    ]
    return write_source(
        folder,
        {
            "plans": "plan_id,name,monthly_fee,currency,on_sale,contract_months,device_fee\n"
            "P-750,Goodybag 7.50,750,GBP,true,0,0\nP-1000,Goodybag 10,1000,GBP,true,0,0\n",
            "plan_allowances": "plan_id,kind,included,overage_rate\nP-750,data_mb,3000,\n"
            "P-750,voice_min,500,25\nP-750,sms_onnet,,\nP-1000,data_mb,10000,\n"
            "P-1000,voice_min,,\nP-1000,sms_onnet,,\n",
            "customers": "customer_id,name,email,joined_at,left_at,referred_by,consents,locale\n"
            "C1,Ann Lee,ann@example.com,2024-01-03T10:00:00Z,,,advice;care,en-GB\n",
            "subscriptions": "subscription_id,customer_id,user_name,plan_id,started_at,ended_at,"
            f"contract_end\nS1,C1,,P-750,{started_at},,\n",
            "usage": "\n".join(usage) + "\n",
            "bills": "customer_id,period,amount,currency\n"
            + "".join(
                f"C1,{p},{750 + 25 * (m - 500)},GBP\n"
                for p, m in zip(periods, minutes, strict=True)
            ),
        },
    )


def talker_periods() -> list[str]:
    """The six months of Ann's usage: the advice window of today."""
    return recent_periods(datetime.now(UTC).date(), 6)


@pytest.fixture(scope="module")
def talker_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("talker")
    ingest(talker_source(root / "source"), Settings(data_dir=root / "data"))
    return root / "data"


@pytest.fixture
def web(talker_ledger: Path, tmp_path: Path) -> Iterator[Web]:
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", talker_ledger, tmp_path)


def _advise(data: Path, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "advice.csv"
    result = CliRunner().invoke(app, ["advise", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open() as f:
        rows = [r for r in csv.DictReader(f) if r["subscription_id"] == "S1"]
    assert len(rows) == 1
    return rows[0]


def test_my_plan_shows_the_real_cost_and_why_and_agrees_with_advise(
    web: Web, talker_ledger: Path, tmp_path: Path
) -> None:
    sign_in_customer(web)
    page = web.client.get("/me").text
    advice = _advise(talker_ledger, tmp_path)
    current = format_money(int(advice["current_monthly_cost_minor"]), "GBP")
    saving = format_money(int(advice["monthly_saving_minor"]), "GBP")
    assert current == "£45" and saving == "£35"
    assert (
        f"Lately it has cost you about <strong>{current} a month</strong>, because of calls over your 500 minutes."
        in page
    )
    assert f"You could save {saving} a month" in page
    assert "£7.50 a month for the plan itself" in page
    last = recent_periods(datetime.now(UTC).date(), 6)[-1]
    assert f'<th scope="row">{month_words(last)}</th><td class="num">£47.50</td>' in page
    assert "Calls: 660 minutes, 160 minutes over your 500 minutes (£40)" in page
    assert (
        "Goodybag 10 includes: Data: 10.0 GB (no more after that); Texts to members: unlimited; Calls: unlimited."
        in page
    )
    assert "Calls each month against your allowance" in page and 'class="bar over"' in page
    # No codes: months in words, kinds in words.
    assert last not in page.replace(f"/{last}", "") and "sms onnet" not in page
    assert "texts to other members" in page
