"""A real server (uvicorn in a thread) and real Chromium for the browser tests."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt install chromium)"
)


@dataclass
class PageProblems:
    """Every console error, uncaught script error and failed request a page has had.

    A request fails when it never completes or a resource (script, style, image, fetch)
    answers 4xx/5xx; a page itself may answer 4xx on purpose (a form sent back with its
    problems), so documents are judged by the test, not here.
    """

    seen: list[str] = field(default_factory=list)
    sent_back: set[str] = field(default_factory=set)

    def watch(self, page: Any) -> PageProblems:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"script error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        return self

    def _console(self, message: Any) -> None:
        url = str(message.location.get("url") or "")
        if message.type == "error" and not (
            url in self.sent_back and message.text.startswith("Failed to load resource")
        ):
            self.seen.append(f"console error: {message.text} at {url}")

    def _request_failed(self, request: Any) -> None:
        failure = request.failure or "failed"
        if "ERR_ABORTED" not in failure:  # a navigation that replaced the page mid-load
            self.seen.append(f"request failed: {request.method} {request.url} ({failure})")

    def _response(self, response: Any) -> None:
        if response.status < 400:
            return
        if response.request.resource_type == "document" and response.status < 500:
            self.sent_back.add(response.url)  # Chromium logs it as a console error too
        else:
            self.seen.append(f"{response.status} for {response.request.method} {response.url}")

    def assert_none(self) -> None:
        assert not self.seen, "the browser saw problems:\n" + "\n".join(self.seen)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1:``port`` in a thread; its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_for_link(outbox: Path, email: str, timeout_s: float = 10.0) -> str:
    """The newest sign-in link mailed to ``email`` (delivery runs just after the response)."""
    from tests.integration.web_support import emails_in

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        texts = [
            text for to, subject, text in emails_in(outbox) if email in to and "sign in" in subject
        ]
        found = re.search(r"http://127\.0\.0\.1:\d+/signin/\S+", texts[-1]) if texts else None
        if found:
            return found.group(0)
        time.sleep(0.05)
    raise AssertionError(f"no sign-in link for {email} in {outbox} after {timeout_s} s")
