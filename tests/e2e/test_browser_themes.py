"""Real Chromium on Where customers fail: themes listed with their chart, a click opens a
theme's verbatims, a verbatim leads to the customer's 360; the page agrees with the API;
no console error and no failed request on the way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.settings import Settings
from goodwill.store import make_engine, upgrade
from goodwill.web.app import create_app
from tests.e2e.browser_support import CHROMIUM, CHROMIUM_ARGS, free_port, needs_chromium, serving
from tests.integration.web_support import AGENT_PASSWORD, seed_people

pytestmark = [pytest.mark.browser, needs_chromium]


@dataclass
class Site:
    url: str
    page: Any
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    from playwright.sync_api import sync_playwright

    write_sample(tmp_path / "source", customers=3_000, months=12, seed=9)
    settings = Settings(
        data_dir=tmp_path / "data", store_url=f"sqlite:///{tmp_path / 'store.sqlite'}"
    )
    ingest(tmp_path / "source", settings)
    engine = make_engine(settings.store_url or "")
    upgrade(engine)
    seed_people(engine)
    engine.dispose()
    port = free_port()
    with serving(create_app(settings), port) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        site = Site(url, page)
        page.on(
            "console",
            lambda m: (
                site.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: site.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: site.problems.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: site.problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        try:
            yield site
        finally:
            browser.close()


def test_themes_to_verbatims_to_the_customer(site: Site) -> None:
    page = site.page
    page.goto(f"{site.url}/desk/login")
    page.fill("#email", "priya@care.example")
    page.fill("#password", AGENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/desk")
    page.get_by_role("link", name="Where customers fail").click()
    page.wait_for_selector("#themes", timeout=90_000)
    assert site.problems == [], site.problems
    page.wait_for_selector("#themes-trend .main-svg")  # Plotly drew the trend
    api = page.request.get(f"{site.url}/api/desk/themes").json()
    links = page.locator("a.theme-link")
    assert links.all_inner_texts() == [t["label"] for t in api["themes"]]
    assert page.locator("td.lost").all_inner_texts() == [
        f"{t['customers_lost']:,}" for t in api["themes"]
    ]
    first = api["themes"][0]
    links.first.click()
    page.wait_for_selector("#verbatims li")
    assert page.get_by_role("heading", name=first["label"]).is_visible()
    quotes = page.locator("#verbatims li q").all_inner_texts()
    detail = page.request.get(f"{site.url}/api/desk/themes/{first['index']}").json()
    assert quotes == [a["text"] for a in detail["answers"]]
    customer = detail["answers"][0]["customer_id"]
    page.locator("#verbatims li").first.get_by_role("link", name=customer).click()
    page.wait_for_selector("#customer-themes")
    assert customer in page.inner_text("main")
    assert page.locator("#customer-themes a", has_text=first["label"]).count() >= 1
    assert site.problems == []
