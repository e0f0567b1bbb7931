"""Where customers fail: the desk's themes page, one theme's answers, and the same as JSON."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from goodwill.web.deps import CurrentStaff, LedgerDep, StateDep
from goodwill.web.pages import page
from goodwill.web.views import themes

router = APIRouter()


def _spec(value: object) -> str:
    """A figure spec for a data- attribute (the template escapes it)."""
    return json.dumps(value) if value else ""


@router.get("/desk/themes", include_in_schema=False)
def themes_page(
    request: Request, state: StateDep, ledger: LedgerDep, staff: CurrentStaff
) -> HTMLResponse:
    view = themes.themes_view(ledger, state)
    return page(request, "desk/themes.html", staff=staff, view=view, trend=_spec(view.trend),
                reload_s=themes.RELOAD_S)  # fmt: skip


@router.get("/desk/themes/{index}", include_in_schema=False)
def theme_page(
    request: Request, state: StateDep, ledger: LedgerDep, staff: CurrentStaff, index: int
) -> HTMLResponse:
    view = themes.theme_detail(ledger, state, index)
    return page(request, "desk/theme.html", staff=staff, view=view)


@router.get(
    "/api/desk/themes",
    tags=["care desk"],
    responses={202: {"description": "The themes are being worked out: `building` is true."}},
)
def themes_summary(
    state: StateDep, ledger: LedgerDep, staff: CurrentStaff, response: Response
) -> themes.ThemesView:
    """Where customers fail: feedback themes ranked by customers lost, with the
    self-service funnels; the same numbers as the desk's page. While the day's themes are
    being worked out it answers 202 with `building` true and the funnels only."""
    view = themes.themes_view(ledger, state)
    if view.building:
        response.status_code = 202
        response.headers["Retry-After"] = str(themes.RELOAD_S)
    return view


@router.get("/api/desk/themes/{index}", tags=["care desk"])
def theme_answers(
    state: StateDep, ledger: LedgerDep, staff: CurrentStaff, index: int
) -> themes.ThemeDetail:
    """One theme and its answers in the customers' own words, newest first."""
    return themes.theme_detail(ledger, state, index)
