"""/api/docs loads nothing from the internet: local Swagger UI, or how to get it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from goodwill.web.api_docs import add_api_docs
from tests.integration.web_support import (
    TestClient,
    Web,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
)

EXTERNAL = re.compile(r"""(?:src|href)=["']?(?:https?:)?//""")


@pytest.fixture
def web(ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path)


def test_api_docs_reference_no_cdn(web: Web) -> None:
    page = web.client.get("/api/docs")
    assert page.status_code == 200
    assert not EXTERNAL.search(page.text), page.text
    assert "/api/openapi.json" in page.text
    assert web.client.get("/api/openapi.json").json()["info"]["title"] == "goodwill"


def test_with_swagger_ui_files_the_docs_are_swagger_ui_served_from_here(tmp_path: Path) -> None:
    (tmp_path / "swagger-ui-bundle.js").write_text("window.SwaggerUIBundle = function () {};")
    (tmp_path / "swagger-ui.css").write_text("body { margin: 0 }")
    app = FastAPI(docs_url=None)
    add_api_docs(app, "/api/openapi.json", tmp_path)
    client = TestClient(app)
    page = client.get("/api/docs").text
    assert "/api/docs/assets/swagger-ui-bundle.js" in page and not EXTERNAL.search(page)
    assert "SwaggerUIBundle" in client.get("/api/docs/assets/swagger-ui-bundle.js").text


def test_swagger_ui_starts_under_the_pages_own_policy(web: Web) -> None:
    """The installed Swagger UI is served from here, and its inline start-up script
    carries the response's nonce: the docs need no looser policy than any other page."""
    page = web.client.get("/api/docs")
    policy = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce, policy
    assert "unsafe-inline" not in policy.split("style-src")[0]
    assert "/api/docs/assets/swagger-ui-bundle.js" in page.text
    scripts = re.findall(r"<script([^>]*)>(?!</script>)", page.text)
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline and all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline), scripts
    assert web.client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_the_served_swagger_ui_reads_the_schemas_openapi_version(web: Web) -> None:
    """FastAPI writes OpenAPI 3.1, which Swagger UI reads from version 5 on (4.x says
    "Unable to render this definition"); only its script and style are served."""
    assert web.client.get("/api/openapi.json").json()["openapi"].startswith("3.1")
    bundle = web.client.get("/api/docs/assets/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version and int(version.group(1)) >= 5, version
    assert web.client.get("/api/docs/assets/swagger-ui.css").status_code == 200
    assert web.client.get("/api/docs/assets/__init__.py").status_code == 404
