"""Messages written as ``.eml`` files to a folder: for previews, demos and pickup by a relay."""

from __future__ import annotations

import os
import re
import tempfile
from email.policy import SMTP
from pathlib import Path

from goodwill.channels.base import OutgoingMessage, Receipt
from goodwill.channels.mime import build_email

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def file_name_for(message_id: str) -> str:
    """``<gw.abc@example.com>`` → ``gw.abc@example.com.eml`` (unsafe characters → ``_``)."""
    return _UNSAFE.sub("_", message_id.strip("<>")) + ".eml"


class FolderChannel:
    """Write each message to ``<folder>/<message id>.eml``, once.

    The file appears whole or not at all (written to a temporary file, then linked into
    place), and a message whose file is already there is not written again.
    """

    name = "folder"

    def __init__(self, path: str | Path, mail_from: str = "goodwill@localhost") -> None:
        self.path, self.mail_from = Path(path), mail_from

    def send(self, message: OutgoingMessage) -> Receipt:
        target = self.path / file_name_for(message.message_id)
        if target.exists():
            return Receipt(self.name, message.message_id, f"already written: {target}")
        self.path.mkdir(parents=True, exist_ok=True)
        data = build_email(message, self.mail_from).as_bytes(policy=SMTP)
        written = _write_once(target, data)
        detail = f"wrote {target}" if written else f"already written: {target}"
        return Receipt(self.name, message.message_id, detail)


def _write_once(target: Path, data: bytes) -> bool:
    """Write ``data`` to ``target`` atomically unless it exists; False if it did."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # link() fails if the target exists, so two writers racing cannot both win;
        # rename() would silently replace the first file.
        os.link(temp, target)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temp)
