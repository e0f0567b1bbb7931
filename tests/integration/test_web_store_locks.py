"""A self-service write holds up neither other customers' reads nor its own delivery.

Finding 1 of issue 15: on SQLite, a customer's block took the store's write lock in the
read after its commit and held it while the same process delivered the outbox, so the
delivery failed with "database is locked" and another customer's read waited the whole
busy timeout. The store's busy timeout is cut to one second here, so a read or a delivery
that had to wait for such a lock fails instead of passing slowly.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

import goodwill.store.engine as store_engine
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.models import Message
from goodwill.web.app import create_app
from tests.integration.conftest import SmtpServer
from tests.integration.live_web import Customer, serving, sign_in_by_email
from tests.integration.web_support import ledger_data, seed_people  # noqa: F401


@dataclass
class Site:
    url: str
    engine: Engine
    smtp: SmtpServer
    customers: list[Customer] = field(default_factory=list)

    def sign_in(self, email: str) -> Customer:
        customer = sign_in_by_email(self.url, email, self.smtp.inbox)
        self.customers.append(customer)
        return customer


@pytest.fixture
def site(
    store_url: str,
    ledger_data: Path,  # noqa: F811
    tmp_path: Path,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Site]:
    monkeypatch.setattr(store_engine, "SQLITE_BUSY_TIMEOUT_S", 1.0)
    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger").symlink_to(ledger_data / "ledger")
    settings = Settings(
        data_dir=data,
        store_url=store_url,
        channel="smtp",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
    )
    engine = make_engine(store_url)
    upgrade(engine)
    seed_people(engine)
    with serving(create_app(settings)) as url:
        site = Site(url, engine, smtp_server)
        yield site
        for customer in site.customers:
            customer.client.close()
    engine.dispose()


def test_reads_and_delivery_go_on_while_customers_write(site: Site) -> None:
    ann, bob = site.sign_in("ann@example.com"), site.sign_in("bob@example.com")
    site.smtp.inbox.delay_s = 0.4  # every message is acknowledged late: delivery is slow

    blocked = ann.post("/api/me/lines/S2/block")
    assert blocked.status_code == 200, blocked.text
    block_id = blocked.json()["id"]
    ordered = ann.post(f"/api/me/blocks/{block_id}/replacement")
    assert ordered.status_code == 200, ordered.text

    def read(customer: Customer) -> int:
        return customer.client.get("/api/me/contact").status_code

    # While the web process delivers, other customers read and write.
    with ThreadPoolExecutor(6) as pool:
        reads = list(pool.map(read, [bob, ann] * 10))
        bob_blocks = pool.submit(bob.post, "/api/me/lines/S3/block").result()
    assert reads == [200] * 20
    assert bob_blocks.status_code == 200, bob_blocks.text
    assert _all_sent(site.engine), "the web process did not deliver what its requests queued"
    replacement = [m for m in site.smtp.inbox.received if "SIM" in str(m["Subject"])]
    assert len(replacement) == 1


def _all_sent(engine: Engine, timeout_s: float = 30) -> bool:
    """Every email the requests queued is sent; billing messages (the SIM blocks) wait,
    queued, for the billing webhook, which this site has none of: never lost, never mailed."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with session_factory(engine, reads_only=True)() as session:
            rows = session.execute(select(Message.channel, Message.status)).all()
        emails = {status for channel, status in rows if channel == "email"}
        billing = {status for channel, status in rows if channel != "email"}
        if emails == {"sent"} and billing <= {"queued"}:
            return True
        time.sleep(0.1)
    return False
