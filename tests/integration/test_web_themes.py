"""Where customers fail on the desk: the page and the API show the same numbers, a theme's
page holds its answers with links to each customer, the 360 shows a customer's themes,
and self-service journeys appear as funnels."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from goodwill.analytics.engine import open_ledger_for
from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.settings import Settings
from goodwill.store import session_factory
from goodwill.store.jobs import add_step, start_job
from goodwill.web.views import themes, themes_build
from tests.integration.web_support import (
    AGENT_PASSWORD,
    Web,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_staff,
)


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample operator (4,000 customers) with dates up to today, ingested once."""
    root = tmp_path_factory.mktemp("themes-web")
    write_sample(root / "source", customers=4_000, months=12, seed=6)
    ingest(root / "source", Settings(data_dir=root / "data"))
    return root / "data"


@pytest.fixture
def web(sample_data: Path, tmp_path: Path) -> Iterator[Web]:
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", sample_data, tmp_path)


def _jobs(web: Web) -> None:
    """Three plan switches (two done in 3 and 5 minutes, one stopped at confirmed)."""
    now = datetime.now(UTC) - timedelta(days=3)
    with session_factory(web.engine).begin() as session:
        for minutes in (3, 5, None):
            job = start_job(session, "C000001", "plan_switch", now=now)
            add_step(job, "confirmed", now=now + timedelta(minutes=1))
            if minutes is not None:
                add_step(job, "requested", now=now + timedelta(minutes=minutes), done=True)


def ledger_tickets(data: Path) -> pd.DataFrame:
    """The ledger's tickets inside the page's window (12 months before today)."""
    from goodwill.analytics.scorecard.window import Window

    tickets = open_ledger_for(Settings(data_dir=data)).table("tickets").to_pandas()
    opened = pd.to_datetime(tickets["opened_at"], utc=True)
    window = Window(datetime.now(UTC).date(), 12)
    return tickets[(opened >= pd.Timestamp(window.start)) & (opened < pd.Timestamp(window.end))]


def ready(web: Web, timeout_s: float = 300.0) -> dict[str, Any]:
    """The themes API once the day's report is built (202 and `building` until then)."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = web.client.get("/api/desk/themes")
        if answer.status_code == 200:
            view: dict[str, Any] = answer.json()
            assert view["building"] is False
            return view
        assert answer.status_code == 202 and answer.json()["building"] is True, answer.text
        assert time.monotonic() < deadline, "the themes were not built in time"
        time.sleep(0.2)


def _cells(html: str, cls: str) -> list[str]:
    return [unescape(c) for c in re.findall(rf'<td class="num {cls}">([^<]*)</td>', html)]


def test_page_and_api_show_the_same_themes(web: Web) -> None:
    _jobs(web)
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    api = ready(web)
    page = web.client.get("/desk/themes").text
    assert api["reason"] is None and len(api["themes"]) >= 4
    labels = [
        unescape(x)
        for x in re.findall(r'class="theme-link" href="/desk/themes/\d+">([^<]*)</a>', page)
    ]
    assert labels == [t["label"] for t in api["themes"]]
    assert _cells(page, "lost") == [f"{t['customers_lost']:,}" for t in api["themes"]]
    assert _cells(page, "customers") == [f"{t['customers']:,}" for t in api["themes"]]
    assert _cells(page, "ratio") == [t["churn_risk_ratio"]["text"] for t in api["themes"]]
    assert _cells(page, "nps") == [t["nps"]["text"] for t in api["themes"]]
    assert _cells(page, "csat") == [t["csat"]["text"] for t in api["themes"]]
    lost = [t["customers_lost"] for t in api["themes"]]
    assert lost == sorted(lost, reverse=True)
    for t in api["themes"]:
        assert unescape(t["verdict"]) in unescape(page)
    switch = api["funnels"][0]
    assert (switch["kind"], switch["started"], switch["most_stop_at"]) == (
        "plan_switch",
        3,
        "confirmed",
    )
    assert [s["reached"] for s in switch["steps"]] == [3, 3, 2, 2]
    assert switch["minutes_to_done"]["value"] in (3.0, 5.0)
    assert "plan switch: 3 started" in page


def test_page_and_api_show_the_same_ticket_categories(web: Web, sample_data: Path) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    api = ready(web)
    page = web.client.get("/desk/themes").text
    cards = api["ticket_categories"]
    assert api["ticket_reason"] is None and "From tickets (by category)" in page
    tickets = ledger_tickets(sample_data)
    assert {c["category"] for c in cards} == set(tickets["category"])
    table = page.split('id="ticket-categories"')[1].split("</table>")[0]
    names = [unescape(x) for x in re.findall(r'<td class="category">([^<]*)</td>', table)]
    assert names == [c["category"] for c in cards]
    assert _cells(table, "category-customers") == [f"{c['customers']:,}" for c in cards]
    assert _cells(table, "category-tickets") == [f"{c['tickets']:,}" for c in cards]
    assert _cells(table, "category-lost") == [f"{c['customers_lost']:,}" for c in cards]
    assert _cells(table, "category-ratio") == [c["churn_risk_ratio"]["text"] for c in cards]
    assert _cells(table, "category-nps") == [c["nps"]["text"] for c in cards]
    assert _cells(table, "category-csat") == [c["csat"]["text"] for c in cards]
    for c in cards:  # the scores these customers gave, with their intervals
        nps = c["nps"]
        if nps["n"] == 0:  # a small category whose customers answered no survey
            assert nps["text"] == "no answers" and nps["value"] is None
            continue
        assert nps["ci_low"] < nps["value"] < nps["ci_high"] and " to " in nps["text"]
    assert sum(c["nps"]["n"] > 0 and "(" in c["csat"]["text"] for c in cards) >= 3
    assert unescape(api["ticket_scores_are"]) in unescape(page)
    assert "not scores of the tickets" in api["ticket_scores_are"]
    for c in cards:
        assert unescape(c["verdict"]) in unescape(page)


def test_a_theme_page_quotes_its_customers_and_links_their_360(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    first = ready(web)["themes"][0]
    detail = web.client.get(f"/api/desk/themes/{first['index']}").json()
    assert detail["theme"] == first
    assert len(detail["answers"]) == min(first["answers"], 200)
    page = web.client.get(f"/desk/themes/{first['index']}").text
    links = re.findall(r'<a href="/desk/customers/(C\d+)">', page)
    assert links[: len(detail["answers"])] == [a["customer_id"] for a in detail["answers"]]
    who = detail["answers"][0]
    c360 = web.client.get(f"/desk/customers/{who['customer_id']}").text
    assert 'id="customer-themes"' in c360
    assert f'href="/desk/themes/{first["index"]}"' in c360
    assert web.client.get("/desk/themes/999").status_code == 404
    assert web.client.get("/api/desk/themes/999").status_code == 404


def test_the_page_loads_plotly_and_its_script_from_the_app(web: Web) -> None:
    """Plotly's JS was shadowed by the /static mount (a 404 for every chart) until the
    route was registered before it."""
    plotly = web.client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    script = web.client.get("/static/themes.js")
    assert script.status_code == 200 and "Plotly.newPlot" in script.text


def test_themes_need_a_signed_in_member_of_staff(web: Web) -> None:
    assert web.client.get("/api/desk/themes").status_code == 401
    assert web.client.get("/desk/themes", follow_redirects=False).status_code == 303


def test_a_ledger_without_words_says_so(ledger_data: Path, tmp_path: Path) -> None:  # noqa: F811
    for web in make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path):
        sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
        api = ready(web)
        assert api["themes"] == [] and "no answers to read" in api["reason"]
        assert "no answers to read" in web.client.get("/desk/themes").text
        assert 'id="customer-themes"' in web.client.get("/desk/customers/C1").text


def _forget_kept_reports(data: Path) -> None:
    """A snapshot with no report kept, in this process or on disk (a cold first visit)."""
    from goodwill.analytics.themes import cache

    shutil.rmtree((data / "ledger").resolve() / cache.FOLDER, ignore_errors=True)
    cache._MEMORY.clear()


def test_the_first_visit_says_the_themes_are_being_worked_out_then_shows_them(
    web: Web, sample_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forget_kept_reports(sample_data)
    monkeypatch.setattr(themes, "WAIT_S", 0.0)  # the fit takes seconds: it is not done at once
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    page = web.client.get("/desk/themes")
    assert page.status_code == 200 and 'id="themes-building"' in page.text
    assert f'<meta http-equiv="refresh" content="{themes.RELOAD_S}">' in page.text
    assert "being worked out" in page.text and "Where self-service fails" in page.text
    api = web.client.get("/api/desk/themes")
    assert api.status_code == 202 and api.headers["retry-after"] == str(themes.RELOAD_S)
    assert api.json()["building"] is True and api.json()["themes"] == []
    assert web.client.get("/api/desk/themes/0").status_code == 503
    c360 = web.client.get("/desk/customers/C000001").text
    assert 'id="customer-themes-building"' in c360 and "Nothing in their words" not in c360
    view = ready(web)
    assert view["themes"] and view["building_since"] is None
    page = web.client.get("/desk/themes").text
    assert 'id="themes-building"' not in page and "http-equiv" not in page


def test_one_fit_is_kept_in_the_snapshot_and_shared_by_the_cli_and_the_scorecard(
    web: Web, sample_data: Path
) -> None:
    """The desk's report is kept next to the snapshot's tables; a new process (memory
    emptied) reads it back equal; the scorecard's top themes come from the same report,
    and a re-ingest makes a new snapshot with no report kept."""
    from goodwill.analytics.scorecard.window import Window
    from goodwill.analytics.themes import cache
    from goodwill.analytics.themes.scorecard import theme_figures

    _forget_kept_reports(sample_data)
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    view = ready(web)
    kept = list(((sample_data / "ledger").resolve() / cache.FOLDER).glob("report-*.pickle"))
    assert (
        len(kept) == 1 and f"-{datetime.now(UTC).date().isoformat()}-12m-pins-none" in kept[0].name
    )
    ledger = open_ledger_for(Settings(data_dir=sample_data))
    in_memory = cache.cached_report(ledger, datetime.now(UTC).date(), 12)
    cache._MEMORY.clear()
    from_disk = cache.cached_report(ledger, datetime.now(UTC).date(), 12)
    assert from_disk is not in_memory and from_disk == in_memory
    assert [t.label for t in from_disk.themes] == [t["label"] for t in view["themes"]]
    figures = theme_figures(ledger, Window(datetime.now(UTC).date(), 12))
    assert figures[0].estimate == from_disk.themes[0].behaviour.left_share
    assert len(list(kept[0].parent.iterdir())) == 1  # no second fit, no temporary file left


def test_keep_warm_builds_the_days_report_before_anyone_asks(sample_data: Path) -> None:
    from goodwill.analytics.themes import cache

    _forget_kept_reports(sample_data)
    settings = Settings(data_dir=sample_data)
    thread = themes_build.keep_warm(settings)
    folder = (sample_data / "ledger").resolve() / cache.FOLDER
    deadline = time.monotonic() + 300
    while not list(folder.glob("report-*.pickle")):
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.2)
