"""Security headers on every response of every registered route (finding 4 of issue 15)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

from tests.integration.web_support import (
    LEAD_PASSWORD,
    Web,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_staff,
)

PARAM = re.compile(r"\{[^}]+\}")


@pytest.fixture
def web(ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path)


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, those of included routers too (FastAPI 0.165 keeps a router included
    with no prefix of its own as one entry holding it)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _routes(included.routes) if included is not None else [route]


def _requests(web: Web) -> list[tuple[str, str]]:
    """(method, path) for every route the app registers, path parameters filled in."""
    out = []
    for route in _routes(web.client.app.routes):  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            out.append(("GET", f"{route.path}/goodwill.css"))
        elif isinstance(route, APIRoute | Route):
            path = PARAM.sub("1", route.path)
            out += [(m, path) for m in sorted(route.methods or {"GET"}) if m != "HEAD"]
    return [*out, ("GET", "/no/such/page"), ("GET", "/api/no/such/thing")]


def _assert_secure(headers: dict[str, str], where: str) -> None:
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, where
    assert "default-src 'none'" in csp, where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where


def test_every_route_answers_with_the_security_headers(web: Web) -> None:
    requests = _requests(web)
    assert len(requests) > 30  # every page, API call and static file is in the list
    for signed_in in (False, True):
        if signed_in:
            sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
        for method, path in requests:
            response = web.client.request(method, path, follow_redirects=False)
            where = f"{method} {path} ({response.status_code})"
            _assert_secure({k.lower(): v for k, v in response.headers.items()}, where)
            if path.startswith("/api/"):
                assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
                assert (
                    "unsafe-inline"
                    not in response.headers["content-security-policy"].split("style-src")[0]
                ), where


def test_pages_are_not_cached_and_the_nonce_is_fresh(web: Web) -> None:
    first, second = web.client.get("/signin"), web.client.get("/signin")
    assert first.headers["cache-control"] == "no-store"
    nonces = [
        re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"]) for r in (first, second)
    ]
    assert nonces[0] and nonces[1] and nonces[0].group(1) != nonces[1].group(1)


def test_an_inline_script_carries_the_responses_nonce(web: Web) -> None:
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    desk = web.client.get("/desk")
    nonce = re.search(r"'nonce-([^']+)'", desk.headers["content-security-policy"])
    assert nonce
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", desk.text, flags=re.S)
    inline = [attrs for attrs, body in scripts if body.strip()]
    assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline), inline
