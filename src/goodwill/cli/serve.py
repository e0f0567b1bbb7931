"""``goodwill serve``: the web app (self-service, care desk, JSON API) with uvicorn."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors


@app.command("serve")
@reports_errors
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8000,
    data: DataOption = None,
) -> None:
    """Serve customer self-service, the care desk and the JSON API (docs at /api/docs)."""
    import uvicorn

    from goodwill.store import make_engine, store_url_for, upgrade
    from goodwill.web.app import create_app
    from goodwill.web.views.me import prepare as prepare_my_plan
    from goodwill.web.views.scorecard import prepare as prepare_scorecard
    from goodwill.web.views.themes_build import keep_warm
    from goodwill.web.warm_up import freeze_when_warm

    settings = make_settings(data)
    engine = make_engine(store_url_for(settings))
    upgrade(engine)
    engine.dispose()
    keep_warm(settings)  # the desk's themes of the day, built before the first visit asks
    console.print(f"goodwill is at http://{host}:{port}/ (care desk: /desk, API docs: /api/docs)")
    web = create_app(settings)
    scorecard = prepare_scorecard(web.state.web)  # the desk's scorecard, off the request path
    my_plan = prepare_my_plan(settings, web.state.web.today())  # the customers' rows and advice
    freeze_when_warm([scorecard, my_plan])  # then out of the cycle collector's way
    uvicorn.run(web, host=host, port=port, log_level="info", **UVICORN_OPTIONS)


#: How `goodwill serve` runs uvicorn. access_log off: request lines carry sign-in tokens and
#: customer ids in their paths. proxy_headers off: uvicorn would believe X-Forwarded-For
#: from 127.0.0.1; the app believes it only from the ``trusted_proxies`` setting.
UVICORN_OPTIONS: dict[str, Any] = {"access_log": False, "proxy_headers": False}
