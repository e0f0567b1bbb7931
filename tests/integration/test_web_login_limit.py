"""The sign-in rate limit lives in the store: several app processes share it, on SQLite
and PostgreSQL; its window slides on, and old attempts are deleted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from goodwill.store import session_factory
from goodwill.store.models import LoginAttempt
from goodwill.web.app import create_app
from tests.integration.web_support import (
    TestClient,
    Web,
    csrf_of,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
)

SECRET = "one secret shared by every worker"


@pytest.fixture
def web(store_url: str, ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(store_url, ledger_data, tmp_path, session_secret=SECRET, login_attempts=5)


@pytest.fixture
def other(web: Web) -> Iterator[TestClient]:
    """A second app (another `goodwill serve` process) on the same store and settings."""
    app = create_app(web.settings)
    app.state.web.clock = lambda: web.state.clock()  # both follow the first app's clock
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


def _wrong_password(client: TestClient) -> int:
    token = csrf_of(client.get("/desk/login").text)
    data = {"email": "lee@care.example", "password": "a wrong guess", "csrf_token": token}
    return client.post("/desk/login", data=data).status_code


def test_two_app_processes_share_the_limit_and_its_window_expires(
    web: Web, other: TestClient
) -> None:
    codes = [_wrong_password(web.client) for _ in range(3)]
    codes += [_wrong_password(other) for _ in range(2)]
    assert codes == [400] * 5
    assert _wrong_password(other) == 429 and _wrong_password(web.client) == 429
    later = web.state.clock() + timedelta(seconds=web.state.config.login_window_s + 1)
    web.state.clock = lambda: later
    assert _wrong_password(other) == 400  # the window has moved on
    with session_factory(web.engine)() as session:
        kept = session.scalars(select(LoginAttempt)).all()
    assert len(kept) == 2  # the old attempts were deleted; this one counts per email and ip
    assert all(row.attempted_at == later for row in kept)


def test_the_store_keeps_only_digests_of_emails_and_addresses(web: Web) -> None:
    _wrong_password(web.client)
    with session_factory(web.engine)() as session:
        digests = session.scalars(select(LoginAttempt.key_digest)).all()
    assert len(digests) == 2
    for digest in digests:
        assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
        assert "lee@" not in digest and "127.0.0.1" not in digest
    assert web.state.login_limiter.digest("staff:lee@care.example") in digests
