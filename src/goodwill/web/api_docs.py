"""/api/docs without the internet: Swagger UI from local files, or how to get them.

FastAPI's default page loads Swagger UI from a CDN. goodwill depends on the
``swagger-ui-bundle`` package, which ships Swagger UI's files, and serves them from here;
an installation without it (a trimmed environment) gets a page that says how to add it
and points at the schema, which needs nothing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/api/docs/assets"
HOW_TO_GET_THEM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>goodwill API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/goodwill.css"></head>
<body class="desk"><main><section class="card">
<h1>The goodwill API</h1>
<p>The API's description is at <a href="{openapi}">{openapi}</a> (OpenAPI 3); any OpenAPI
viewer or client generator reads it.</p>
<p>The interactive docs use Swagger UI, which goodwill does not ship and never loads from
the internet. To add it, fetch the wheel on a machine that has the internet,
<code>pip download --no-deps swagger-ui-bundle</code>, copy it here, install it into
goodwill's environment with <code>uv pip install swagger_ui_bundle-*.whl</code> and restart
<code>goodwill serve</code>: this page then is Swagger UI, served from this server.</p>
</section></main></body></html>
"""


def swagger_ui_dir() -> Path | None:
    """The folder of Swagger UI's files from the installed ``swagger-ui-bundle``, if any."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    folder = Path(swagger_ui_bundle.swagger_ui_path)
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def add_api_docs(app: FastAPI, openapi_url: str, folder: Path | None = None) -> None:
    """Serve ``/api/docs``: Swagger UI from ``folder`` (default: the installed bundle)."""
    folder = folder or swagger_ui_dir()
    if folder is None:
        page = HOW_TO_GET_THEM.format(openapi=openapi_url)

        def docs(request: Request) -> HTMLResponse:
            return HTMLResponse(page)

    else:
        # Before /static and the routers, so that nothing else answers under it.
        app.mount(ASSETS, StaticFiles(directory=folder), name="swagger-ui")

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
