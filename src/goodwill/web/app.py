"""The web app: customer self-service, the care desk, and the JSON API under /api.

>>> app = create_app(Settings(data_dir=Path("goodwill-data")))  # doctest: +SKIP
>>> uvicorn.run(app, host="127.0.0.1", port=8000)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from goodwill.domain.formatting import format_day, format_money
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, store_url_for
from goodwill.web.api_docs import add_api_docs
from goodwill.web.config import web_config
from goodwill.web.delivery import DeliveryThread, outbox_delivery
from goodwill.web.deps import WebState
from goodwill.web.errors import NotSignedIn, WebError
from goodwill.web.headers import SecurityHeaders
from goodwill.web.pages import cell, page, see_other
from goodwill.web.security import LoginLimiter
from goodwill.web.sessions import ServerSessions
from goodwill.web.unavailable import StoreUnavailable

HERE = Path(__file__).parent


def create_app(settings: Settings, state: WebState | None = None) -> FastAPI:
    """The app for ``settings``; the store must be migrated (``goodwill db upgrade``)."""
    state = state or _state(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if state.delivery is not None:
            state.delivery.start()
        yield
        if state.delivery is not None:
            state.delivery.stop()
        state.engine.dispose()

    app = FastAPI(
        title="goodwill",
        summary="Customer self-service and the care desk of goodwill.",
        lifespan=lifespan,
        docs_url=None,  # served by add_api_docs, from local files
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.web = state
    app.add_middleware(ServerSessions)  # added first, so it runs inside the cookie's middleware
    app.add_middleware(
        SessionMiddleware,
        secret_key=state.config.session_secret,
        session_cookie="goodwill_session",
        max_age=state.config.session_max_age_s,
        same_site="lax",
        https_only=state.config.https_only,
    )
    add_api_docs(app, "/api/openapi.json")
    if settings.trusted_proxies:  # the client's address from X-Forwarded-For, set by them only
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(StoreUnavailable)  # a 503 while the store cannot be reached
    app.add_middleware(SecurityHeaders, hsts=state.config.https_only)  # outermost: every response
    _routes(app)
    _error_handlers(app)
    return app


def _state(settings: Settings) -> WebState:
    config = web_config(settings)
    engine = make_engine(store_url_for(settings))
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(money=format_money, day=format_day, cell=cell)
    sessions = session_factory(engine)
    limiter = LoginLimiter(
        sessions, config.session_secret, config.login_attempts, config.login_window_s
    )
    interval = settings.web_delivery_interval_seconds
    delivery = DeliveryThread(outbox_delivery(settings, engine), interval) if interval else None
    read_sessions = session_factory(engine, reads_only=True)
    return WebState(
        settings, config, engine, sessions, read_sessions, templates, limiter, delivery=delivery
    )


def _routes(app: FastAPI) -> None:
    from goodwill.web.routes import (
        api,
        desk,
        desk_api,
        desk_api_gestures,
        desk_queue,
        gestures,
        lost_sim,
        my_plan,
        signin,
        themes,
    )

    # Plotly's route first: a mount answers everything under its path, 404 included.
    app.add_api_route("/static/plotly.min.js", _plotly_js, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (
        signin,
        my_plan,
        lost_sim,
        desk,
        desk_queue,
        gestures,
        api,
        desk_api,
        desk_api_gestures,
        themes,
    ):
        app.include_router(module.router)


def _plotly_js() -> FileResponse:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return FileResponse(path, media_type="text/javascript")


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        if isinstance(exc, NotSignedIn):
            return see_other("/desk/login" if request.url.path.startswith("/desk") else "/signin")
        return page(request, "error.html", exc.status, title=exc.title, message=exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        title = "We couldn't find that" if exc.status_code == 404 else "That didn't work"
        message = "There's nothing here. It may have moved, or the link is old."
        return page(request, "error.html", exc.status_code, title=title, message=message)

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
        fields = sorted({str(e["loc"][-1]) for e in exc.errors()})
        message = f"Please check {', '.join(fields)}: something there isn't quite right."
        return page(request, "error.html", 400, title="That didn't quite work", message=message)


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, object]]:
    """Validation errors without the input echoed back (it may hold personal data)."""
    return [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")
