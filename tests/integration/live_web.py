"""The web app served by uvicorn on loopback (as `goodwill serve` does), for concurrent clients."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from fastapi import FastAPI

from goodwill.cli.serve import UVICORN_OPTIONS
from tests.integration.conftest import Inbox, free_port


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` on a free loopback port in a thread, run as `goodwill serve` runs it (its
    lifespan too); yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", **UVICORN_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start on loopback")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@dataclass
class Customer:
    """A signed-in customer's client and the CSRF token of their session."""

    client: httpx.Client
    csrf: str

    def post(self, path: str, json: object | None = None) -> httpx.Response:
        return self.client.post(path, json=json, headers={"X-CSRF-Token": self.csrf})


def sign_in_by_email(base_url: str, email: str, inbox: Inbox, timeout_s: float = 30) -> Customer:
    """Ask for a link, wait for it on the loopback SMTP server, and use it."""
    client = new_client(base_url)
    form = client.get("/signin")
    sent = client.post("/signin", data={"email": email, "csrf_token": form_csrf(form.text)})
    assert sent.status_code == 200, sent.text
    link = wait_for_link(inbox, email, base_url, timeout_s)
    confirm = client.get(link)
    done = client.post(link, data={"csrf_token": form_csrf(confirm.text)})
    assert done.status_code == 303, done.text
    return Customer(client, client.get("/api/session").json()["csrf_token"])


def new_client(base_url: str) -> httpx.Client:
    """A client that drops an idle connection after 2 s, before uvicorn closes it (5 s):
    a request on a connection the server is closing would fail with a reset."""
    return httpx.Client(base_url=base_url, timeout=60, limits=httpx.Limits(keepalive_expiry=2))


def wait_for_link(inbox: Inbox, email: str, base_url: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    pattern = re.compile(r"https?://[^/\s]+(/signin/[A-Za-z0-9_-]+)")
    while time.monotonic() < deadline:
        for message in reversed(list(inbox.received)):
            if email in str(message["To"]) and "sign in" in str(message["Subject"]).lower():
                body = message.get_body(preferencelist=("plain",))
                found = pattern.search(body.get_content() if body else "")
                if found:
                    return found.group(1)
        time.sleep(0.02)
    raise AssertionError(f"no sign-in link for {email} reached the SMTP server ({base_url})")


def form_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
