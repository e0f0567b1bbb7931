"""Every care message's link opens the page that does its job, signed in once by a token."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from goodwill.services.care_run import run_care
from goodwill.settings import Settings
from goodwill.web.app import create_app
from tests.integration.web_support import (
    TestClient,
    csrf_of,
    emails_in,
    ledger_data,  # noqa: F401  (a fixture)
)

PUBLIC = "http://127.0.0.1:8000"


def _settings(ledger_data: Path, tmp_path: Path, **given: str) -> Settings:  # noqa: F811
    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger").symlink_to(ledger_data / "ledger")
    return Settings(data_dir=data, store_url=f"sqlite:///{tmp_path / 'store.sqlite'}", **given)


def _advice_text(settings: Settings) -> str:
    run_care(settings, datetime.now(UTC).date())
    texts = [t for to, s, t in emails_in(settings.data_dir / "outbox") if "less a month" in s]
    assert len(texts) == 1, emails_in(settings.data_dir / "outbox")
    return texts[0]


def test_with_the_app_set_up_the_advice_links_to_its_switch_page_signed_in_once(
    ledger_data: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = _settings(ledger_data, tmp_path, public_url=PUBLIC)
    text = _advice_text(settings)
    assert "mailto:" not in text
    found = re.search(re.escape(PUBLIC) + r"(/signin/[\w-]+\?next=\S+)", text)
    assert found, text
    link = found.group(1)
    with TestClient(create_app(settings), base_url=PUBLIC) as client:
        confirm = client.get(link)
        assert "Sign me in and show the switch" in confirm.text
        again = client.get(link)  # looking (a mail scanner) does not use it up
        assert again.status_code == 200
        done = client.post(link, data={"csrf_token": csrf_of(confirm.text), "next": _next(link)})
        assert done.status_code == 200
        assert str(done.url).startswith(f"{PUBLIC}/me/lines/S1/switch?plan=P-750")
        assert "Yes, switch me" in done.text and "Goodybag 7.50" in done.text
        client.cookies.clear()
        used = client.post(link, data={"csrf_token": csrf_of(client.get("/signin").text)})
        assert "expired or was already used" in used.text


def _next(link: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(link).query)["next"][0]


def test_without_the_app_the_advice_asks_for_the_switch_by_reply(
    ledger_data: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    text = _advice_text(_settings(ledger_data, tmp_path))
    assert "mailto:" in text and "/signin/" not in text


def test_your_own_switch_page_wins_over_the_app(ledger_data: Path, tmp_path: Path) -> None:  # noqa: F811
    settings = _settings(
        ledger_data,
        tmp_path,
        public_url=PUBLIC,
        switch_link="https://shop.example/switch/{subscription_id}/{plan_id}",
    )
    assert "https://shop.example/switch/S1/P-750" in _advice_text(settings)


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/me/lines/S1/switch?plan=P-750", "/me/lines/S1/switch?plan=P-750"),
        ("/me", "/me"),
        ("https://evil.example/me", "/me"),
        ("//evil.example/me/", "/me"),
        ("/desk", "/me"),
        ("/me\\..\\desk", "/me"),
        ("/mean", "/me"),
    ],
)
def test_a_sign_in_link_lands_only_on_the_customers_own_pages(asked: str, lands: str) -> None:
    from goodwill.web.flows.signin import landing

    assert landing(asked) == lands
