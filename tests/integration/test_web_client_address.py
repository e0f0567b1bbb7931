"""X-Forwarded-For is believed only from a configured proxy (finding 5 of issue 15).

uvicorn believes the header from 127.0.0.1 by default, so behind a proxy on the same host
anyone could write it and escape the per-address sign-in limit. The app is served here as
`goodwill serve` serves it, on loopback, and each sign-in attempt forges a new address.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from goodwill.settings import Settings
from goodwill.store import make_engine, upgrade
from goodwill.web.app import create_app
from tests.integration.live_web import form_csrf, serving
from tests.integration.web_support import ledger_data  # noqa: F401  (a fixture)


def _attempts(tmp_path: Path, ledger: Path, **settings: object) -> list[int]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger").symlink_to(ledger / "ledger")
    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = make_engine(store_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(
        Settings(data_dir=data, store_url=store_url, login_attempts=2, **settings)  # type: ignore[arg-type]
    )
    codes = []
    with serving(app) as url, httpx.Client(base_url=url) as client:
        for n in range(4):
            token = form_csrf(client.get("/signin").text)
            sent = client.post(
                "/signin",
                data={"email": f"person{n}@example.com", "csrf_token": token},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            )
            codes.append(sent.status_code)
    return codes


def test_a_forged_forwarded_for_does_not_escape_the_limit(
    tmp_path: Path,
    ledger_data: Path,  # noqa: F811
) -> None:
    assert _attempts(tmp_path, ledger_data) == [200, 200, 429, 429]


@pytest.mark.parametrize("proxies", [["127.0.0.1"], ["127.0.0.0/8"]])
def test_a_configured_proxy_is_believed(
    tmp_path: Path,
    ledger_data: Path,  # noqa: F811
    proxies: list[str],
) -> None:
    assert _attempts(tmp_path, ledger_data, trusted_proxies=proxies) == [200] * 4
