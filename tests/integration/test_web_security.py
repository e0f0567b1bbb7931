"""Security of the web app: nobody reads or changes another customer's data, staff pages
refuse customers, CSRF on every form, signed HttpOnly cookies, escaping, rate limits, logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from goodwill.store import session_factory
from goodwill.store.models import Action, Job, Message, PlanChangeRequest, SimBlock
from tests.integration.web_support import (
    XSS_NAME,
    Web,
    csrf_of,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_customer,
    without_tokens,
)


@pytest.fixture
def web(ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path)


def _counts(web: Web) -> tuple[int, ...]:
    with session_factory(web.engine)() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (Action, Job, Message, PlanChangeRequest, SimBlock)
        )


def _anns_block(web: Web) -> tuple[int, int]:
    sign_in_customer(web, "ann@example.com")
    blocked = web.client.post(
        "/me/lines/S2/block", data={"csrf_token": csrf_of(web.client.get("/me").text)}
    )
    block_id = int(str(blocked.url).rsplit("/", 1)[1])
    with session_factory(web.engine)() as session:
        job_id = int(session.scalar(select(SimBlock.job_id)) or 0)
    web.client.post("/signout", data={"csrf_token": csrf_of(blocked.text)})
    return block_id, job_id


def test_a_customer_gets_404_for_every_route_with_someone_elses_ids(web: Web) -> None:
    block_id, job_id = _anns_block(web)
    sign_in_customer(web, "bob@example.com")
    token = csrf_of(web.client.get("/me").text)
    before = _counts(web)
    form = {"csrf_token": token, "plan": "P-750"}
    api = {"X-CSRF-Token": token}
    tries = [
        web.client.get("/me/lines/S1/switch", params={"plan": "P-750"}),
        web.client.post("/me/lines/S1/switch", data=form),
        web.client.post("/me/lines/S1/block", data=form),
        web.client.get(f"/me/blocks/{block_id}"),
        web.client.post(f"/me/blocks/{block_id}/replacement", data=form),
        web.client.get(f"/me/jobs/{job_id}"),
        web.client.post("/api/me/lines/S1/switch", json={"plan_id": "P-750"}, headers=api),
        web.client.post("/api/me/lines/S1/block", headers=api),
        web.client.get(f"/api/me/blocks/{block_id}"),
        web.client.post(f"/api/me/blocks/{block_id}/replacement", headers=api),
        web.client.get(f"/api/me/jobs/{job_id}"),
    ]
    for answer in tries:
        assert answer.status_code == 404, (answer.request.url, answer.status_code)
        shown = without_tokens(answer.text)
        assert "Ann" not in shown and "Kit" not in shown and "S2" not in shown
    assert _counts(web) == before
    mine = web.client.get("/api/me").json()
    assert [line["subscription_id"] for line in mine["lines"]] == ["S3"] and mine["owners"] == []


def test_staff_pages_refuse_customers(web: Web) -> None:
    sign_in_customer(web)
    token = csrf_of(web.client.get("/me").text)
    for path in ("/desk", "/desk/customers/C2", "/desk/moments", "/desk/agents", "/desk/approvals"):
        answer = web.client.get(path)
        assert answer.status_code == 403 and "Roy" not in without_tokens(answer.text)
    given = web.client.post(
        "/desk/customers/C1/gestures", data={"csrf_token": token, "amount": "5", "reason": "x"}
    )
    assert given.status_code == 403


def test_forms_without_the_csrf_token_change_nothing(web: Web) -> None:
    sign_in_customer(web)
    before = _counts(web)
    assert web.client.post("/me/lines/S2/block", data={}).status_code == 403
    assert web.client.post("/me/lines/S2/block", data={"csrf_token": "forged"}).status_code == 403
    assert web.client.post("/api/me/lines/S2/block").status_code == 403
    assert (
        web.client.post(
            "/desk/login", data={"email": "lee@care.example", "password": "x"}
        ).status_code
        == 403
    )
    assert _counts(web) == before


def test_names_are_escaped(web: Web) -> None:
    sign_in_customer(web, "bob@example.com")
    page = web.client.get("/me").text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert XSS_NAME not in page


def test_session_cookie_is_signed_httponly_and_samesite(web: Web) -> None:
    page = web.client.get("/signin")
    web.client.post("/signin", data={"email": "ann@example.com", "csrf_token": csrf_of(page.text)})
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    sign_in_customer(web)
    value = web.client.cookies["goodwill_session"]
    web.client.cookies.set(
        "goodwill_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    )
    assert web.client.get("/me", follow_redirects=False).headers["location"] == "/signin"


def test_logins_are_rate_limited(web: Web) -> None:
    page = web.client.get("/desk/login")
    token = csrf_of(page.text)
    codes = [
        web.client.post(
            "/desk/login",
            data={"email": "lee@care.example", "password": f"guess {n}", "csrf_token": token},
        ).status_code
        for n in range(7)
    ]
    assert codes[:5] == [400] * 5 and codes[5:] == [429, 429]


def test_no_personal_data_in_logs(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sign_in_customer(web)
    web.client.post("/me/lines/S2/block", data={"csrf_token": csrf_of(web.client.get("/me").text)})
    page = web.client.get("/desk/login")
    web.client.post(
        "/desk/login",
        data={
            "email": "lee@care.example",
            "password": "wrong password",
            "csrf_token": csrf_of(page.text),
        },
    )
    server = ("goodwill", "uvicorn", "fastapi", "starlette", "sqlalchemy")
    logged = "\n".join(
        f"{r.name} {r.getMessage()}" for r in caplog.records if r.name.startswith(server)
    )
    assert "goodwill" in logged  # something was logged, and none of it is personal
    for secret in ("ann@example.com", "Ann Lee", "lee@care.example", "wrong password", "/signin/"):
        assert secret not in logged
