"""Shared by the web tests: a small ledger whose dates follow today, and a running app."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from goodwill.ledger.ingest import ingest
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.agents import add_agent, assign_owner
from goodwill.store.staff import add_staff_user
from goodwill.web.app import create_app
from goodwill.web.deps import WebState
from goodwill.web.security import hash_password
from tests.conftest import write_source

with warnings.catch_warnings():  # starlette asks for httpx2; httpx works the same here
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

XSS_NAME = '<script>alert("x")</script> Roy'
LEAD_PASSWORD = "a long lead password"
AGENT_PASSWORD = "a long agent password"


def recent_periods(today: date, months: int) -> list[str]:
    """The ``months`` complete calendar months before today's, oldest first."""
    year, month, out = today.year, today.month, []
    for _ in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append(f"{year:04d}-{month:02d}")
    return out[::-1]


def web_source(folder: Path, today: date) -> Path:
    """C1 (Ann) uses little on P-1000: P-750 fits and saves £2.50 a month. C2's name is XSS."""
    periods = recent_periods(today, 6)
    usage = ["subscription_id,period,kind,quantity"]
    for p in periods:
        usage += [
            f"S1,{p},data_mb,1500",
            f"S1,{p},voice_min,40",
            f"S2,{p},data_mb,800",
            f"S3,{p},data_mb,900",
        ]
    bills = ["customer_id,period,amount,currency"] + [f"C1,{p},1750,GBP" for p in periods]
    tables = {
        "plans": "plan_id,name,monthly_fee,currency,on_sale,contract_months,device_fee\n"
        "P-750,Goodybag 7.50,750,GBP,true,0,0\nP-1000,Goodybag 10,1000,GBP,true,0,0\n",
        "plan_allowances": "plan_id,kind,included,overage_rate\nP-750,data_mb,3000,\n"
        "P-750,voice_min,500,25\nP-1000,data_mb,10000,\nP-1000,voice_min,,\n",
        "customers": "customer_id,name,email,joined_at,left_at,referred_by,consents,locale\n"
        "C1,Ann Lee,ann@example.com,2024-01-03T10:00:00Z,,,advice;care,en-GB\n"
        f'C2,"{XSS_NAME.replace(chr(34), chr(34) * 2)}",bob@example.com,2024-02-01T09:00:00Z,,,advice,\n',
        "subscriptions": "subscription_id,customer_id,user_name,plan_id,started_at,ended_at,contract_end\n"
        "S1,C1,,P-1000,2024-01-03T10:00:00Z,,\nS2,C1,Kit Lee,P-750,2024-01-03T10:00:00Z,,\n"
        "S3,C2,,P-750,2024-02-01T09:00:00Z,,\n",
        "usage": "\n".join(usage) + "\n",
        "bills": "\n".join(bills) + "\n",
    }
    return write_source(folder, tables)


@dataclass
class Web:
    """A running app on a fresh store, with its client and what it was made from."""

    client: TestClient
    settings: Settings
    engine: Engine
    state: WebState

    @property
    def outbox(self) -> Path:
        """The folder channel's outbox, once the app's delivery thread has nothing left to do."""
        assert self.state.delivery is not None and self.state.delivery.settle()
        return self.settings.data_dir / "outbox"


@pytest.fixture(scope="session")
def ledger_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the web ledger, ingested once for the whole session."""
    root = tmp_path_factory.mktemp("web-ledger")
    data = root / "data"
    ingest(web_source(root / "source", datetime.now(UTC).date()), Settings(data_dir=data))
    return data


def make_web(store_url: str, ledger_data: Path, tmp_path: Path, **settings_: Any) -> Iterator[Web]:
    """The app over ``ledger_data`` and a migrated store, with staff and a case owner."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger").symlink_to(ledger_data / "ledger")
    settings = Settings(data_dir=data, store_url=store_url, **settings_)
    engine = make_engine(store_url)
    upgrade(engine)
    seed_people(engine)
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield Web(client, settings, engine, app.state.web)
    engine.dispose()


def seed_people(engine: Engine) -> None:
    """Priya (agent, owns a case of C1), Lee (lead); both can sign in to the desk."""
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:
        add_agent(
            session,
            name="Priya Shah",
            email="priya@care.example",
            team="care",
            phone="0161 496 0000",
            now=now,
        )
        assign_owner(session, "C1", "ticket:T-1", team="care", today=now.date(), now=now)
        add_staff_user(
            session,
            email="priya@care.example",
            name="Priya Shah",
            role="agent",
            password_hash=hash_password(AGENT_PASSWORD),
            now=now,
            monthly_allowance_minor=2000,
        )
        add_staff_user(
            session,
            email="lee@care.example",
            name="Lee Ward",
            role="lead",
            password_hash=hash_password(LEAD_PASSWORD),
            now=now,
            monthly_allowance_minor=10000,
        )


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def without_tokens(html: str) -> str:
    """The page with its CSRF token values blanked: a random token can spell "S2" or "Ann",
    and a test that looks for leaked names must not read them there."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', html)


def emails_in(outbox: Path) -> list[tuple[str, str, str]]:
    """(to, subject, text) of every .eml the folder channel wrote."""
    out = []
    for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        msg = message_from_bytes(path.read_bytes(), policy=default)
        body = msg.get_body(preferencelist=("plain",))
        out.append((str(msg["To"]), str(msg["Subject"]), body.get_content() if body else ""))
    return out


def sign_in_customer(web: Web, email: str = "ann@example.com") -> None:
    """Ask for a link, take it from the outbox folder, and use it."""
    page = web.client.get("/signin")
    sent = web.client.post("/signin", data={"email": email, "csrf_token": csrf_of(page.text)})
    assert sent.status_code == 200, sent.text
    link = link_in_outbox(web, email)
    confirm = web.client.get(link)
    done = web.client.post(link, data={"csrf_token": csrf_of(confirm.text)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/me"


def link_in_outbox(web: Web, email: str) -> str:
    texts = [
        text for to, subject, text in emails_in(web.outbox) if email in to and "sign in" in subject
    ]
    assert texts, f"no sign-in email to {email} in {web.outbox}"
    found = re.search(r"http://127\.0\.0\.1:8000(/signin/\S+)", texts[-1])
    assert found
    return found.group(1)


def sign_in_staff(web: Web, email: str, password: str) -> None:
    page = web.client.get("/desk/login")
    done = web.client.post(
        "/desk/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
