"""``goodwill db upgrade`` and ``goodwill deliver``, in-process, on both store backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import goodwill.cli.db
import goodwill.cli.deliver  # noqa: F401  (register their commands on the app)
from goodwill.cli.app import app
from goodwill.store import head_revision
from tests.integration.conftest import QueueMessages

runner = CliRunner()


def said(result: Result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture
def data_dir(tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOODWILL_STORE_URL", store_url)
    return tmp_path / "data"


def test_db_upgrade_migrates_once(data_dir: Path) -> None:
    first = runner.invoke(app, ["db", "upgrade", "--data", str(data_dir)])
    assert first.exit_code == 0, said(first)
    assert "Migrated the store" in said(first) and f"(empty) → {head_revision()}" in said(first)
    again = runner.invoke(app, ["db", "upgrade", "--data", str(data_dir)])
    assert again.exit_code == 0 and f"is up to date (revision {head_revision()})" in said(again)


def test_deliver_sends_the_outbox_to_the_folder(
    data_dir: Path, queue_messages: QueueMessages
) -> None:
    queue_messages(3)
    result = runner.invoke(app, ["deliver", "--data", str(data_dir), "--channel", "folder"])
    assert result.exit_code == 0, result.output
    assert "Delivered 3 through folder; 0 to retry later, 0 failed." in said(result)
    assert len(list((data_dir / "outbox").glob("*.eml"))) == 3


def test_deliver_on_a_store_not_migrated_says_what_to_run(data_dir: Path) -> None:
    result = runner.invoke(app, ["deliver", "--data", str(data_dir)])
    assert result.exit_code == 1
    assert "run `goodwill db upgrade` first" in said(result)


def test_deliver_through_an_unknown_channel_names_the_choices(data_dir: Path) -> None:
    result = runner.invoke(app, ["deliver", "--data", str(data_dir), "--channel", "pigeon"])
    assert result.exit_code == 1
    assert "'pigeon' is not installed; choose one of: folder, smtp, webhook" in said(result)


def test_the_sqlite_store_lives_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOODWILL_STORE_URL", raising=False)
    result = runner.invoke(app, ["db", "upgrade", "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "goodwill.sqlite").is_file()


def test_an_unreachable_database_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOODWILL_STORE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    result = runner.invoke(app, ["db", "upgrade", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "the store at postgresql+psycopg://nobody:***@127.0.0.1:1/none failed" in said(result)
    assert "secret" not in said(result)
