"""The folder channel: one .eml file per message, written once, whole."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from goodwill.channels import deliver
from goodwill.channels.folder import FolderChannel, file_name_for
from goodwill.store.models import Message
from tests.integration.conftest import QUEUED_AT, QueueMessages

LATER = QUEUED_AT + timedelta(seconds=1)


def parse(path: Path) -> EmailMessage:
    return BytesParser(policy=default).parsebytes(path.read_bytes())


def test_one_eml_file_per_message_that_parses_back(
    engine: Engine, queue_messages: QueueMessages, tmp_path: Path
) -> None:
    message_ids = queue_messages(2) + queue_messages(1, html=False, first=2)
    outbox = tmp_path / "outbox"
    assert deliver(engine, FolderChannel(outbox, mail_from="care@example.com"), now=LATER).sent == 3
    files = sorted(outbox.iterdir())
    assert [f.name for f in files] == sorted(file_name_for(m) for m in message_ids)
    email = parse(outbox / file_name_for(message_ids[0]))
    assert email["Message-ID"] == message_ids[0]
    assert email["To"] == "customer0@example.com" and email["From"] == "care@example.com"
    assert email["Subject"] == "You could save £2.50 a month, customer 0"
    assert [p.get_content_type() for p in email.iter_parts()] == ["text/plain", "text/html"]
    plain = parse(outbox / file_name_for(message_ids[2]))
    assert plain.get_content_type() == "text/plain"
    assert "plan P-750 fits you better" in plain.get_content()


def test_a_message_delivered_again_writes_nothing_new(
    engine: Engine, sessions: sessionmaker[Session], queue_messages: QueueMessages, tmp_path: Path
) -> None:
    (message_id,) = queue_messages(1)
    outbox = tmp_path / "outbox"
    channel = FolderChannel(outbox)
    deliver(engine, channel, now=LATER)
    target = outbox / file_name_for(message_id)
    written = target.read_bytes()
    with sessions.begin() as session:  # as if the worker had died before marking it sent
        session.execute(update(Message).values(status="queued"))
    report = deliver(engine, channel, now=LATER + timedelta(hours=1))
    assert report.sent == 1
    assert [p.name for p in outbox.iterdir()] == [target.name]  # no temporary files left
    assert target.read_bytes() == written
    with sessions() as session:
        (receipt,) = session.scalars(Message.__table__.select().with_only_columns(Message.receipt))
    assert receipt.startswith("already written")
