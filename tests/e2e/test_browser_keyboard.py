"""The desk by keyboard, in real Chromium: a skip link, a visible focus ring, a credit given
without the mouse; and what a screen reader hears: every control named, the menu labelled
with the current page marked, borders and the focus ring at 3:1 against their background."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.browser_support import needs_chromium
from tests.e2e.test_browser_web import Site, _desk_sign_in, site  # noqa: F401  (a fixture)
from tests.integration.web_support import (
    AGENT_PASSWORD,
    LEAD_PASSWORD,
    ledger_data,  # noqa: F401  (a fixture)
)

pytestmark = [pytest.mark.browser, needs_chromium]

#: Roles a person operates: each needs a name a screen reader can say.
CONTROLS = {"link", "button", "textbox", "combobox", "checkbox", "radio", "searchbox", "listbox"}
DESK_PAGES = (
    "/desk/queue",
    "/desk",
    "/desk/moments",
    "/desk/customers?q=ann",
    "/desk/customers/C1",
    "/desk/themes",
    "/desk/agents",
    "/desk/approvals",
)


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.textContent"))


def _tab_to(page: Any, element_id: str, most: int = 60) -> int:
    """Press Tab until ``element_id`` has the focus; how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} is not reachable in {most} presses of Tab")


def test_an_agent_gives_a_credit_by_keyboard_alone(site: Site) -> None:  # noqa: F811
    page = site.page
    _desk_sign_in(site, "priya@care.example", AGENT_PASSWORD)
    page.wait_for_selector(".tile", timeout=60_000)  # built: the page stops refreshing itself
    page.goto(f"{site.url}/desk/customers/C1")
    page.keyboard.press("Tab")
    assert _focused(page).strip() == "Skip to the main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    _tab_to(page, "amount")
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"
    )
    assert ring[0] == "solid" and ring[1] == "3px", ring
    assert _contrast(ring[2], "rgb(255, 255, 255)") >= 3, ring
    page.keyboard.type("7.50")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.type("Sorry you waited so long for us on the phone.")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # the amount field submits its form
    page.wait_for_selector("text=The credit is on their account")
    history = page.locator("#timeline")
    assert history.get_by_text("£7.50 credit from Priya Shah: given").is_visible()


def test_every_control_on_the_desk_has_a_name_and_the_menu_says_where_you_are(
    site: Site,  # noqa: F811
) -> None:
    page = site.page
    _desk_sign_in(site, "lee@care.example", LEAD_PASSWORD)
    page.wait_for_selector(".tile", timeout=60_000)  # the scorecard, once it is built
    cdp = page.context.new_cdp_session(page)
    unnamed = {}
    for path in DESK_PAGES:
        page.goto(f"{site.url}{path}")
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
        nameless = [
            n["role"]["value"]
            for n in nodes
            if not n.get("ignored")
            and n.get("role", {}).get("value") in CONTROLS
            and not str(n.get("name", {}).get("value") or "").strip()
        ]
        if nameless:
            unnamed[path] = nameless
        menu = page.get_by_role("navigation", name="Desk")
        assert menu.is_visible(), path
        current = menu.locator("[aria-current=page]")
        assert current.count() == 1, path
    assert unnamed == {}
    page.goto(f"{site.url}/desk/customers/C1")
    assert (
        page.get_by_role("navigation", name="Desk").locator("[aria-current=page]").inner_text()
        == "Customers"
    )


def test_borders_and_the_focus_ring_stand_out_three_to_one(site: Site) -> None:  # noqa: F811
    page = site.page
    page.goto(f"{site.url}/desk/login")
    border, outline = page.evaluate(
        "(() => { const e = document.getElementById('email'); e.focus();"
        " const s = getComputedStyle(e); return [s.borderTopColor, s.outlineColor]; })()"
    )
    for background in ("rgb(255, 255, 255)", "rgb(246, 245, 242)"):  # card and page
        assert _contrast(border, background) >= 3, (border, background)
        assert _contrast(outline, background) >= 3, (outline, background)


def _contrast(one: str, other: str) -> float:
    """WCAG 2's contrast ratio of two CSS ``rgb()`` colours."""
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
