"""Sessions live in the store: signing out ends them everywhere, and they expire.

Finding 2 of issue 15: the signed cookie was the whole session, so a copy saved before
`POST /signout` still read the customer's data for 8 hours. Now the cookie holds the
token of a row in ``web_sessions``; the row goes at sign-out and stops counting at expiry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from goodwill.store.models import WebSession
from goodwill.store.web_sessions import SignedIn, open_web_session
from goodwill.web.app import create_app
from tests.integration.web_support import (
    AGENT_PASSWORD,
    TestClient,
    Web,
    csrf_of,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_customer,
    sign_in_staff,
)

COOKIE = "goodwill_session"
SECRET = "one secret shared by every process"


@pytest.fixture
def web(store_url: str, ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(store_url, ledger_data, tmp_path, session_secret=SECRET)


def _live_sessions(web: Web) -> int:
    with web.state.read_sessions() as session:
        return int(session.scalar(select(func.count()).select_from(WebSession)) or 0)


def _replay(web: Web, cookie: str) -> None:
    web.client.cookies.clear()
    web.client.cookies.set(COOKIE, cookie)


def test_a_cookie_saved_before_sign_out_gets_401_after(web: Web) -> None:
    sign_in_customer(web)
    saved = web.client.cookies[COOKIE]
    assert web.client.get("/api/me").status_code == 200
    assert _live_sessions(web) == 1
    plan = web.client.get("/me")
    out = web.client.post("/signout", data={"csrf_token": csrf_of(plan.text)})
    assert out.status_code == 200 and _live_sessions(web) == 0
    _replay(web, saved)
    again = web.client.get("/api/me")
    assert again.status_code == 401
    assert "Ann" not in again.text
    assert web.client.get("/api/session").json()["signed_in_as"] is None


def test_sign_out_ends_the_session_in_every_process(web: Web) -> None:
    sign_in_customer(web)
    saved = web.client.cookies[COOKIE]
    with TestClient(create_app(web.settings), base_url="http://127.0.0.1:8000") as other:
        other.cookies.set(COOKIE, saved)
        assert other.get("/api/me").status_code == 200  # the same secret and store
        web.client.post("/signout", data={"csrf_token": csrf_of(web.client.get("/me").text)})
        assert other.get("/api/me").status_code == 401


def test_staff_logout_ends_the_desk_session(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    saved = web.client.cookies[COOKIE]
    assert web.client.get("/api/desk/roster").status_code == 200
    desk = web.client.get("/desk")
    web.client.post("/desk/logout", data={"csrf_token": csrf_of(desk.text)})
    _replay(web, saved)
    assert web.client.get("/api/desk/roster").status_code == 401
    page = web.client.get("/desk", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/desk/login"


def test_a_session_expires(web: Web) -> None:
    sign_in_customer(web)
    assert web.client.get("/api/me/contact").status_code == 200
    later = web.state.clock() + timedelta(seconds=web.state.config.session_max_age_s + 1)
    web.state.clock = lambda: later
    assert web.client.get("/api/me/contact").status_code == 401


def test_signing_in_again_starts_a_new_session(web: Web) -> None:
    sign_in_customer(web)
    first = web.client.cookies[COOKIE]
    sign_in_customer(web)
    assert web.client.cookies[COOKIE] != first
    _replay(web, first)  # the session before the second sign-in ended with it
    assert web.client.get("/api/me/contact").status_code == 401
    assert _live_sessions(web) == 1


def test_a_cookie_without_a_store_session_signs_nobody_in(web: Web) -> None:
    """Even a cookie signed with the right secret: a session the store never opened (or a
    session of another customer) signs nobody in."""
    with web.state.sessions.begin() as session:
        token = open_web_session(
            session, SignedIn(customer_id="C2"), now=web.state.clock(), lifetime=timedelta(hours=1)
        )
    forged = _with_session_data({"customer_id": "C1", "sid": token})
    _replay(web, forged)
    assert web.client.get("/api/me/contact").status_code == 401


def _with_session_data(data: dict[str, object]) -> str:
    """The cookie re-signed with other data, as someone holding the secret could."""
    import json
    from base64 import b64encode

    import itsdangerous

    signer = itsdangerous.TimestampSigner(SECRET)
    return signer.sign(b64encode(json.dumps(data).encode())).decode()


def _statements_while(web: Web, ask: Callable[[], object]) -> list[str]:
    """The SQL the store ran (on any connection of the app's engine) while ``ask`` ran."""
    ran: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        ran.append(statement)

    engine = web.state.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        ask()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return ran


def test_a_page_for_nobody_asks_the_store_nothing_and_a_signed_in_page_settles_nothing(
    web: Web,
) -> None:
    """Nobody's cookie has no session to check; a request that leaves the session as it
    found it has none to start or end: only the check of the session itself is run."""
    assert web.client.get("/signin").status_code == 200
    assert _statements_while(web, lambda: web.client.get("/signin")) == []
    sign_in_customer(web)
    checks = _statements_while(web, lambda: web.client.get("/api/me/contact"))
    sessions = [s for s in checks if "web_sessions" in s]
    assert len(sessions) == 1 and sessions[0].lstrip().upper().startswith("SELECT")
