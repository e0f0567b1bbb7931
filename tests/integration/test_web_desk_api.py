"""The care desk's JSON API: the desk's own views as JSON, for staff only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.web_support import (
    AGENT_PASSWORD,
    LEAD_PASSWORD,
    Web,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_customer,
    sign_in_staff,
)

READS = [
    "/api/desk/scorecard",
    "/api/desk/moments",
    "/api/desk/customers?q=ann",
    "/api/desk/customers/C1",
    "/api/desk/roster",
    "/api/desk/approvals",
]


@pytest.fixture
def web(store_url: str, ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(store_url, ledger_data, tmp_path)


def _csrf(web: Web) -> dict[str, str]:
    return {"X-CSRF-Token": web.client.get("/api/session").json()["csrf_token"]}


def test_staff_read_the_desk_as_json(web: Web) -> None:
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    answers = {path: web.client.get(path) for path in READS}
    assert {p: a.status_code for p, a in answers.items()} == dict.fromkeys(READS, 200)
    assert answers["/api/desk/scorecard"].json()["asof"]
    assert answers["/api/desk/moments"].json() == []
    found = answers["/api/desk/customers?q=ann"].json()
    assert [(c["customer_id"], c["name"]) for c in found] == [("C1", "Ann Lee")]
    c360 = answers["/api/desk/customers/C1"].json()
    assert c360["customer"]["name"] == "Ann Lee"
    assert {s["subscription_id"] for s in c360["subscriptions"]} == {"S1", "S2"}
    assert c360["owners"][0]["name"] == "Priya Shah"
    team = {r["email"]: r for r in answers["/api/desk/roster"].json()}
    assert team["priya@care.example"]["monthly_allowance_minor"] == 2000
    assert answers["/api/desk/approvals"].json() == {"waiting": [], "budget_left_minor": 100000}
    bad = web.client.get("/api/desk/moments", params={"status": "bogus"})
    assert bad.status_code == 400 and "choose a decision" in bad.json()["detail"]
    assert web.client.get("/api/desk/customers/C404").status_code == 404
    # A NUL character cannot reach a query (DuckDB's and PostgreSQL's SQL cannot hold one).
    assert web.client.get("/api/desk/customers/C%001").status_code == 404
    assert web.client.get("/api/desk/customers", params={"q": "a\x00"}).json() == []
    assert web.client.get("/api/desk/moments", params={"kind": "a\x00"}).status_code == 400


def test_gestures_approve_and_hold_through_the_api(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    reason = "Sorry we kept you waiting."
    give = {"amount_minor": 500, "reason": reason}
    given = web.client.post("/api/desk/customers/C1/gestures", json=give, headers=_csrf(web))
    assert given.status_code == 200 and given.json()["status"] == "given"
    big = {"amount_minor": 2500, "reason": reason}
    ids = [
        web.client.post("/api/desk/customers/C1/gestures", json=big, headers=_csrf(web)).json()
        for _ in range(2)
    ]
    assert [g["status"] for g in ids] == ["awaiting_lead", "awaiting_lead"]
    assert web.client.get("/api/desk/approvals").status_code == 403  # an agent is not a lead
    refused = web.client.post(f"/api/desk/gestures/{ids[0]['id']}/approve", headers=_csrf(web))
    assert refused.status_code == 403
    web.client.cookies.clear()
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    assert len(web.client.get("/api/desk/approvals").json()["waiting"]) == 2
    approved = web.client.post(f"/api/desk/gestures/{ids[0]['id']}/approve", headers=_csrf(web))
    held = web.client.post(f"/api/desk/gestures/{ids[1]['id']}/hold", headers=_csrf(web))
    assert approved.json()["status"] == "given" and approved.json()["by"] == "Priya Shah"
    assert held.json()["status"] == "held"
    again = web.client.post(f"/api/desk/gestures/{ids[1]['id']}/approve", headers=_csrf(web))
    assert again.status_code == 404
    roster = web.client.post(
        "/api/desk/staff/1/allowance", json={"monthly_allowance_minor": 3000}, headers=_csrf(web)
    ).json()
    assert next(r for r in roster if r["staff_id"] == 1)["monthly_allowance_minor"] == 3000


def test_customers_and_strangers_never_see_desk_data(web: Web) -> None:
    for path in READS:
        assert web.client.get(path).status_code == 401, path
    sign_in_customer(web, "bob@example.com")
    for path in READS:
        answer = web.client.get(path)
        assert answer.status_code == 403 and "Ann" not in answer.text, path
    gift = web.client.post(
        "/api/desk/customers/C2/gestures",
        json={"amount_minor": 500, "reason": "x"},
        headers=_csrf(web),
    )
    assert gift.status_code == 403
    web.client.cookies.clear()
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    no_token = web.client.post(
        "/api/desk/customers/C1/gestures", json={"amount_minor": 500, "reason": "Sorry."}
    )
    assert no_token.status_code == 403


def test_the_desk_api_is_in_the_openapi_schema(web: Web) -> None:
    paths = web.client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/desk/scorecard",
        "/api/desk/moments",
        "/api/desk/customers",
        "/api/desk/customers/{customer_id}",
        "/api/desk/roster",
        "/api/desk/approvals",
        "/api/desk/customers/{customer_id}/gestures",
        "/api/desk/gestures/{gesture_id}/approve",
        "/api/desk/gestures/{gesture_id}/hold",
    ):
        assert path in paths, path
