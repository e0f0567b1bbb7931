"""/api/docs without the internet: Swagger UI from local files, or how to get them.

FastAPI's default page loads Swagger UI from a CDN. goodwill depends on the
``fastapi-swagger`` package, which ships Swagger UI 5's files (the first major version
that reads OpenAPI 3.1, the version FastAPI writes), and serves them from here; an
installation without it (a trimmed environment) gets a page that says how to add it back
and points at the schema, which needs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS = "/api/docs/assets"
HOW_TO_GET_THEM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>goodwill API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/goodwill.css"></head>
<body class="desk"><main><section class="card">
<h1>The goodwill API</h1>
<p>The API's description is at <a href="{openapi}">{openapi}</a> (OpenAPI 3); any OpenAPI
viewer or client generator reads it.</p>
<p>The interactive docs are Swagger UI, from the <code>fastapi-swagger</code> package that
goodwill installs with itself; this environment lacks it, and goodwill never loads it from
the internet. Reinstall goodwill (<code>make setup</code>), or fetch the wheel on a machine
that has the internet, <code>pip download --no-deps fastapi-swagger</code>, copy it here,
install it with <code>uv pip install fastapi_swagger-*.whl</code> and restart
<code>goodwill serve</code>: this page then is Swagger UI, served from this server.</p>
</section></main></body></html>
"""


def swagger_ui_dir() -> Path | None:
    """The folder of Swagger UI's files from the installed ``fastapi-swagger``, if any."""
    try:
        from fastapi_swagger import resources
    except ImportError:
        return None
    folder = Path(resources.__file__).parent
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def add_api_docs(app: FastAPI, openapi_url: str, folder: Path | None = None) -> None:
    """Serve ``/api/docs``: Swagger UI from ``folder`` (default: the installed bundle)."""
    folder = folder or swagger_ui_dir()
    if folder is None:
        page = HOW_TO_GET_THEM.format(openapi=openapi_url)

        def docs(request: Request) -> HTMLResponse:
            return HTMLResponse(page)

    else:
        _add_assets(app, folder)

        def docs(request: Request) -> HTMLResponse:
            page = get_swagger_ui_html(
                openapi_url=openapi_url,
                title="goodwill API",
                swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS}/swagger-ui.css",
                swagger_favicon_url="/static/favicon.svg",
            )
            # Swagger UI starts from an inline script: it carries this response's CSP nonce,
            # so the docs need no looser policy than every other page.
            nonce = request.state.csp_nonce if hasattr(request.state, "csp_nonce") else ""
            body = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
            return HTMLResponse(body)

    app.add_api_route("/api/docs", docs, include_in_schema=False)


def _add_assets(app: FastAPI, folder: Path) -> None:
    """Swagger UI's script and style, and nothing else from its package's folder."""
    for name, media_type in (
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
    ):
        app.add_api_route(
            f"{ASSETS}/{name}", _file(folder / name, media_type), include_in_schema=False
        )


def _file(path: Path, media_type: str) -> Callable[[], FileResponse]:
    def send() -> FileResponse:
        return FileResponse(path, media_type=media_type)

    return send
