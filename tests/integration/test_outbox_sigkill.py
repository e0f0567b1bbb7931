"""A delivery worker killed with SIGKILL mid-batch loses nothing and repeats at most one."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from goodwill.channels import deliver
from goodwill.channels.smtp import SmtpChannel
from goodwill.store.models import Message
from tests.integration.conftest import QueueMessages, SmtpServer

WORKER = """
import sys
from goodwill.channels.outbox import deliver
from goodwill.channels.smtp import SmtpChannel
from goodwill.store.engine import make_engine

url, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
deliver(make_engine(url), SmtpChannel(host, port), batch_size=5)
"""


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_nothing(
    engine: Engine,
    sessions: sessionmaker[Session],
    store_url: str,
    queue_messages: QueueMessages,
    smtp_server: SmtpServer,
) -> None:
    message_ids = queue_messages(20)
    inbox = smtp_server.inbox
    inbox.delay_s = 0.05  # each message is acknowledged late: the kill lands mid-send
    command = [sys.executable, "-c", WORKER, store_url, smtp_server.host, str(smtp_server.port)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as worker:
        received_some = wait_until(lambda: len(inbox.received) >= 7, timeout_s=30)
        worker.send_signal(signal.SIGKILL)
        output, _ = worker.communicate(timeout=10)
    assert received_some, f"the worker sent too little before the kill: {output.decode()}"
    assert worker.returncode == -signal.SIGKILL
    assert len(inbox.received) < len(message_ids), "the worker finished before it was killed"
    received_before = set(inbox.message_ids())
    with sessions() as session:
        in_hand = set(
            session.scalars(select(Message.message_id).where(Message.status == "sending"))
        )
    assert in_hand, "the worker held no claimed batch when it died"

    inbox.delay_s = 0.0
    after_lease = datetime.now(UTC) + timedelta(minutes=10, seconds=1)
    report = deliver(engine, SmtpChannel(smtp_server.host, smtp_server.port), now=after_lease)
    assert report.failed == report.retrying == 0

    received = Counter(inbox.message_ids())
    assert set(received) == set(message_ids)  # every message delivered
    repeated = [mid for mid, n in received.items() if n > 1]
    assert len(repeated) <= 1 and all(received[mid] == 2 for mid in repeated)
    # A repeat can only be the message in flight: received, but not yet marked sent.
    assert set(repeated) <= in_hand & received_before
    with sessions() as session:
        assert set(session.scalars(select(Message.status))) == {"sent"}
