"""Channels without a network: the contract, the test double, MIME, the registry."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

from goodwill.channels import (
    Channel,
    DeliveryError,
    OutgoingMessage,
    RecordingChannel,
    available_channels,
    load_channel,
)
from goodwill.channels.folder import FolderChannel, _write_once, file_name_for
from goodwill.channels.mime import build_email
from goodwill.channels.smtp import SmtpChannel
from goodwill.channels.webhook import WebhookChannel
from goodwill.errors import ConfigError
from goodwill.store.messages import Backoff, message_id_for

MESSAGE = OutgoingMessage(
    message_id="<gw.abc123@care.example.com>",
    customer_id="C1",
    to_address="ann@example.com",
    subject="You could save £2.50 a month",
    body_text="Hello Ann",
    body_html="<p>Hello Ann</p>",
)


def test_the_recording_channel_keeps_what_it_sends_and_refuses_on_request() -> None:
    channel = RecordingChannel(refuse=lambda m: m.customer_id == "C2")
    receipt = channel.send(MESSAGE)
    assert (receipt.channel, receipt.message_id) == ("recording", MESSAGE.message_id)
    with pytest.raises(DeliveryError, match="refused"):
        channel.send(OutgoingMessage("<x@y>", "C2", "bob@example.com", "s", "t"))
    assert channel.sent == [MESSAGE] and len(channel.refused) == 1
    assert isinstance(channel, Channel)


def test_an_email_is_text_with_an_html_alternative() -> None:
    email = build_email(MESSAGE, "care@example.com")
    assert email["Message-ID"] == "<gw.abc123@care.example.com>"
    assert email.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in email.iter_parts()] == ["text/plain", "text/html"]
    plain_only = OutgoingMessage("<a@b>", "C1", "ann@example.com", "s", "just text")
    assert build_email(plain_only, "care@example.com").get_content_type() == "text/plain"


def test_message_ids_are_stable_and_shaped_like_rfc_5322() -> None:
    first = message_id_for("better_plan:S1:2026-10", "care.example.com")
    assert first == message_id_for("better_plan:S1:2026-10", "care.example.com")
    assert first != message_id_for("better_plan:S1:2026-11", "care.example.com")
    assert first.startswith("<gw.") and first.endswith("@care.example.com>")
    assert OutgoingMessage(first, "C1", "a@b", "s", "t").idempotency_key == first.strip("<>")


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(base=timedelta(seconds=30), cap=timedelta(minutes=3))
    waits = [backoff.after(n).total_seconds() for n in range(1, 6)]
    assert waits == [30, 60, 120, 180, 180]


def test_file_names_are_the_message_id_made_safe() -> None:
    assert file_name_for("<gw.abc@care.example.com>") == "gw.abc@care.example.com.eml"
    assert file_name_for("<../../etc/passwd>") == ".._.._etc_passwd.eml"


def test_a_file_is_written_once(tmp_path: Path) -> None:
    target = tmp_path / "m.eml"
    assert _write_once(target, b"first")
    assert not _write_once(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["m.eml"]


def test_the_built_in_channels_load_by_name(tmp_path: Path) -> None:
    assert {"folder", "smtp", "webhook"} <= set(available_channels())
    assert isinstance(load_channel("folder", path=tmp_path), FolderChannel)
    smtp = load_channel("smtp", host="mail.example.com", port="587", starttls=True)
    assert isinstance(smtp, SmtpChannel) and smtp.port == 587
    assert isinstance(load_channel("webhook", url="https://example.com/hook"), WebhookChannel)


def test_an_unknown_channel_or_option_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="'pigeon' is not installed; choose one of: folder"):
        load_channel("pigeon")
    with pytest.raises(ConfigError, match=r"channel 'smtp'.*it takes host, port, mail_from"):
        load_channel("smtp", hots="mail.example.com")
    with pytest.raises(ConfigError, match="must start with http"):
        load_channel("webhook", url="file:///etc/passwd")


PLUGIN = """
from goodwill.channels import Receipt

class Pigeon:
    name = "pigeon"

    def __init__(self, loft: str) -> None:
        self.loft = loft

    def send(self, message):
        return Receipt(self.name, message.message_id, f"flown from {self.loft}")
"""


def test_a_third_party_channel_registers_through_the_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "gw_pigeon.py").write_text(PLUGIN, encoding="utf-8")
    dist = tmp_path / "gw_pigeon-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gw-pigeon\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[goodwill.channels]\npigeon = gw_pigeon:Pigeon\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "gw_pigeon", raising=False)
    channel = load_channel("pigeon", loft="roof")
    assert channel.send(MESSAGE).detail == "flown from roof"


def test_a_broken_entry_point_is_reported_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "gw_broken-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gw-broken\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[goodwill.channels]\nbroken = gw_nowhere:Channel\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        ConfigError, match="channel 'broken' \\(gw_nowhere:Channel\\) cannot be loaded"
    ):
        load_channel("broken")
