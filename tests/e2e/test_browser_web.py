"""Real Chromium against the real server: the customer's and the desk's main journeys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from goodwill.settings import Settings
from goodwill.store import make_engine, upgrade
from goodwill.web.app import create_app
from tests.e2e.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PageProblems,
    free_port,
    needs_chromium,
    serving,
    wait_for_link,
)
from tests.integration.web_support import (
    AGENT_PASSWORD,
    LEAD_PASSWORD,
    emails_in,
    ledger_data,  # noqa: F401  (a fixture)
    seed_people,
)

pytestmark = [pytest.mark.browser, needs_chromium]


@dataclass
class Site:
    url: str
    outbox: Path
    page: Any
    shots: Path
    problems: PageProblems


@pytest.fixture
def site(ledger_data: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Site]:  # noqa: F811
    from playwright.sync_api import sync_playwright

    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger").symlink_to(ledger_data / "ledger")
    port = free_port()
    settings = Settings(data_dir=data, store_url=f"sqlite:///{tmp_path / 'store.sqlite'}")
    engine = make_engine(settings.store_url or "")
    upgrade(engine)
    seed_people(engine)
    engine.dispose()
    app = create_app(settings)
    app.state.web.config = replace(app.state.web.config, public_url=f"http://127.0.0.1:{port}")
    with serving(app, port) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        problems = PageProblems().watch(page)
        site = Site(url, data / "outbox", page, tmp_path / "screenshots", problems)
        try:
            yield site
            problems.assert_none()
        finally:
            if getattr(request.node, "failed", True):
                site.shots.mkdir(exist_ok=True)
                page.screenshot(path=str(site.shots / "failure.png"), full_page=True)
            browser.close()


def _sign_in_by_link(site: Site, email: str) -> None:
    site.page.goto(f"{site.url}/signin")
    site.page.fill("#email", email)
    site.page.click("text=Send me a link")
    site.page.wait_for_selector("text=Check your email")
    site.page.goto(wait_for_link(site.outbox, email))
    site.page.click("text=Sign me in")
    site.page.wait_for_selector("text=Hi Ann")


def test_customer_blocks_a_lost_sim_and_switches_plan(site: Site) -> None:
    page = site.page
    _sign_in_by_link(site, "ann@example.com")
    page.locator("#line-S2").get_by_role("link", name="Block this SIM now").click()  # click 1
    assert page.get_by_role("heading", name="Block the SIM for Kit Lee's line (S2)?").is_visible()
    page.get_by_role("button", name="Block it and send my free replacement").click()  # click 2
    assert page.get_by_role("heading", name="Sorted, Ann").is_visible()
    page.goto(f"{site.url}/me")
    page.get_by_role("link", name="Switch to Goodybag 7.50").click()
    page.get_by_role("button", name="Yes, switch me").click()
    assert page.get_by_role("heading", name="All done, Ann").is_visible()
    page.goto(f"{site.url}/me")
    assert "moving to Goodybag 7.50" in page.content()


def test_agent_opens_360_and_a_lead_approves_a_held_gift(site: Site) -> None:
    page = site.page
    _desk_sign_in(site, "priya@care.example", AGENT_PASSWORD)
    page.goto(f"{site.url}/desk/customers?q=ann")
    page.get_by_role("link", name="Ann Lee").click()
    assert page.get_by_role("heading", name="Ann Lee").is_visible()
    page.fill("#amount", "40")
    page.fill("#reason", "Sorry we got your bill wrong twice.")
    page.get_by_role("button", name="Give credit").click()
    assert page.get_by_text("gone to a lead").is_visible()
    page.get_by_role("button", name="Sign out").click()
    _desk_sign_in(site, "lee@care.example", LEAD_PASSWORD)
    page.get_by_role("link", name="Approvals").click()
    page.get_by_role("button", name="Approve and give").click()
    assert page.get_by_text("Nothing waiting").is_visible()
    page.wait_for_timeout(300)  # the message goes out just after the response
    assert any("from Priya Shah" in subject for _, subject, _ in emails_in(site.outbox))


def _desk_sign_in(site: Site, email: str, password: str) -> None:
    site.page.goto(f"{site.url}/desk/login")
    site.page.fill("#email", email)
    site.page.fill("#password", password)
    site.page.get_by_role("button", name="Sign in").click()
    site.page.wait_for_selector("text=How we're doing")


def test_the_scorecard_draws_its_chart_with_no_browser_errors(site: Site) -> None:
    _desk_sign_in(site, "priya@care.example", AGENT_PASSWORD)
    # The first visit of the day may find it being prepared: the page refreshes itself.
    site.page.wait_for_selector("#retention .main-svg", timeout=60_000)
    assert site.page.locator(".tile polyline").count() >= 4
    assert site.page.evaluate("typeof Plotly") == "object"


def test_the_scorecard_fits_1440_pixels_with_its_tiles_first(site: Site) -> None:
    site.page.set_viewport_size({"width": 1440, "height": 900})
    _desk_sign_in(site, "priya@care.example", AGENT_PASSWORD)
    site.page.wait_for_selector(".tile", timeout=60_000)  # after it has been prepared
    assert site.page.evaluate("document.documentElement.scrollWidth") <= 1440
    tiles = site.page.locator(".tile")
    assert tiles.count() == 6
    assert tiles.first.get_by_role("heading", name="Retention").is_visible()
    assert site.page.get_by_role("img", name=re.compile(r"^NPS each month, ")).count() == 1
    overflowing = "Array.from(document.querySelectorAll('.table-wrap'))" + (
        ".filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.innerText.slice(0, 300))"
    )
    assert site.page.evaluate(overflowing) == []


def test_the_watcher_fails_a_page_with_a_missing_script(site: Site) -> None:
    """The guard itself: a 404 for a script and the error it causes are both caught."""
    site.page.goto(f"{site.url}/signin")
    site.page.evaluate(
        "document.head.appendChild(Object.assign(document.createElement('script'),"
        " {src: '/static/nothing-here.js'})); setTimeout(() => { undefinedThing(); }, 0)"
    )
    site.page.wait_for_timeout(200)
    assert any("404" in p and "nothing-here.js" in p for p in site.problems.seen)
    assert any("undefinedThing" in p for p in site.problems.seen)
    site.problems.seen.clear()


def test_bad_input_comes_back_on_the_same_form_with_the_problem_by_its_field(site: Site) -> None:
    page = site.page
    page.goto(f"{site.url}/desk/login")
    page.fill("#email", "priya at care")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").get_by_text("Nearly there").is_visible()
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") == "true" and email.input_value() == "priya at care"
    assert page.locator("#email-error").get_by_text("doesn't look like an email").is_visible()
    assert page.locator("#password-error").get_by_text("Please type your password").is_visible()
    site.shots.mkdir(exist_ok=True)
    page.screenshot(path=str(site.shots / "login-error-laptop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(site.shots / "login-error-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    _desk_sign_in(site, "priya@care.example", AGENT_PASSWORD)
    page.goto(f"{site.url}/desk/customers/C1")
    page.fill("#amount", "lots")
    page.get_by_role("button", name="Give credit").click()
    amount = page.locator("#amount")
    assert amount.get_attribute("aria-invalid") == "true" and amount.input_value() == "lots"
    assert page.locator("#amount-error").get_by_text("isn't an amount of money").is_visible()
    assert page.locator("#reason-error").get_by_text("say in a sentence why").is_visible()
    page.get_by_role("link", name="isn't an amount of money").click()  # the summary's link
    assert page.evaluate("location.hash") == "#amount"


def test_an_agent_works_from_the_queue_to_a_credit_and_a_lead_approves_the_bigger_one(
    site: Site,
) -> None:
    """Queue → case → the customer's history → a credit within allowance → one above it,
    which a lead approves from the queue; every page with no console error or failed load."""
    page = site.page
    page.set_viewport_size({"width": 1440, "height": 900})
    _desk_sign_in(site, "priya@care.example", AGENT_PASSWORD)
    page.get_by_role("link", name="Queue").click()
    assert page.get_by_role("heading", name="What needs a person now").is_visible()
    row = page.locator("table.queue tbody tr", has_text="Their enquiry T-1")
    assert row.get_by_text("left").is_visible()
    assert row.get_by_role("cell", name="Priya Shah", exact=True).is_visible()
    _shoot(site, "queue")
    row.get_by_role("link", name="Ann Lee").click()
    page.fill("#amount", "7.50")
    page.fill("#reason", "Sorry you waited so long for us on the phone.")
    page.get_by_role("button", name="Give credit").click()
    assert page.get_by_text("The credit is on their account").is_visible()
    history = page.locator("#timeline")
    assert history.get_by_text("£7.50 credit from Priya Shah: given").is_visible()
    history.get_by_text("What they read").first.click()
    assert history.get_by_text("I've added a credit of £7.50").first.is_visible()
    _shoot(site, "customer-360")
    _assert_fits(page, "table.lines")
    page.fill("#amount", "40")
    page.fill("#reason", "Sorry we got your bill wrong twice.")
    page.get_by_role("button", name="Give credit").click()
    assert page.get_by_text("gone to a lead").is_visible()
    page.get_by_role("button", name="Sign out").click()
    _desk_sign_in(site, "lee@care.example", LEAD_PASSWORD)
    page.goto(f"{site.url}/desk/queue?show=approvals")
    assert page.get_by_text("£40 credit from Priya Shah, above their allowance").is_visible()
    page.get_by_role("link", name="Decide").click()
    page.get_by_role("button", name="Approve and give").click()
    assert page.get_by_text("Nothing waiting").is_visible()
    for path in ("/desk", "/desk/agents", "/desk/moments"):
        answer = page.goto(f"{site.url}{path}")
        assert answer is not None and answer.ok, (path, answer and answer.status)
        _shoot(site, path.strip("/").replace("/", "-"))


def test_the_customer_sees_what_their_line_really_cost_in_chromium(site: Site) -> None:
    page = site.page
    _sign_in_by_link(site, "ann@example.com")
    line = page.locator("#line-S1")
    assert line.get_by_text("Lately it has cost you about").is_visible()
    assert line.locator("figure.chart-small svg rect.bar").count() == 6
    _shoot(site, "my-plan")


def _shoot(site: Site, name: str) -> None:
    """Screenshots at a laptop's width and a phone's, kept for a person to look at."""
    site.shots.mkdir(exist_ok=True)
    page = site.page
    size = page.viewport_size
    for label, width, height in (("1440", 1440, 900), ("390", 390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(site.shots / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def _assert_fits(page: Any, selector: str) -> None:
    """The table's cells all end inside its card's padding: no column is clipped."""
    right, edge = page.eval_on_selector(
        selector,
        "t => { const c = t.closest('.card'); const pad = parseFloat(getComputedStyle(c).paddingRight);"
        " const cells = [...t.querySelectorAll('th, td')].map(x => x.getBoundingClientRect().right);"
        " return [Math.max(...cells), c.getBoundingClientRect().right - pad + 1]; }",
    )
    assert right <= edge, f"{selector}: a cell ends at {right:.0f}px, past its card at {edge:.0f}px"


def test_the_api_docs_render_the_schema_in_chromium(site: Site) -> None:
    """Swagger UI, served from this server, reads the app's OpenAPI schema and lists its
    operations (a Swagger UI too old for the schema's version says "Unable to render")."""
    site.page.goto(f"{site.url}/api/docs")
    site.page.wait_for_selector(".opblock", timeout=15_000)
    assert site.page.locator(".opblock").count() >= 5
    assert "Unable to render" not in site.page.inner_text("body")
