"""The dependencies routes ask for by type: the store session, the ledger, who is signed in."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path as FilePath
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Form, Header, Path, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.settings import Settings
from goodwill.store.models import StaffRole, StaffUser
from goodwill.web.config import WebConfig
from goodwill.web.delivery import DeliveryThread
from goodwill.web.errors import Forbidden, NotSignedIn
from goodwill.web.security import LoginLimiter, csrf_ok


@dataclass
class WebState:
    """Everything the app holds for its lifetime; made by :func:`create_app`."""

    settings: Settings
    config: WebConfig
    engine: Engine
    sessions: sessionmaker[Session]  # sessions that write
    read_sessions: sessionmaker[Session]  # sessions that only read: they never wait for a lock
    templates: Jinja2Templates
    login_limiter: LoginLimiter
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    delivery: DeliveryThread | None = None  # None: this process leaves delivery to others

    def today(self) -> date:
        return self.clock().date()


async def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


StateDep = Annotated[WebState, Depends(web_state)]


#: Methods whose routes only read the store.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def store_session(request: Request, state: StateDep) -> AsyncIterator[Session]:
    """A store session for the request; a route that writes commits it, else it rolls back.

    A GET's session only reads, so it never waits for a writer. Any other request's session
    writes (on SQLite it holds the write lock from its first statement to the route's
    commit) and reads without a lock after that commit, while the response is made.

    Making a session touches no database (it connects at its first statement), so it is
    made where the request runs; closing it, which gives its connection back, is handed
    to a worker thread as the route's own statements are.
    """
    if request.method in READING_METHODS:
        session = state.read_sessions()
    else:
        session = state.sessions()
        event.listen(session, "after_commit", _reads_after_commit(state))
    try:
        yield session
    finally:
        await to_thread.run_sync(session.close)


def _reads_after_commit(state: WebState) -> Callable[[Session], None]:
    def rebind(session: Session) -> None:
        session.bind = state.read_sessions.kw["bind"]

    return rebind


#: Opened ledgers waiting for a request, per snapshot folder: opening one (a DuckDB
#: connection and its views) costs tens of milliseconds, and a snapshot never changes.
_IDLE_LEDGERS: dict[FilePath, list[Ledger]] = {}
_IDLE_LOCK = threading.Lock()
#: Kept for the requests in flight at once: a request takes one before it waits for a
#: worker thread (anyio runs 40 at a time), so a burst may hold more than 40.
MAX_IDLE_LEDGERS = 64


async def ledger(state: StateDep) -> AsyncIterator[Ledger]:
    """The ledger's current snapshot on a DuckDB connection this request has to itself
    (connections are kept for the next request, never shared by two at once).

    Taking a kept connection and giving it back are a list's pop and append, done where
    the request runs; only opening or closing one is handed to a worker thread."""
    snapshot = state.settings.ledger_dir.resolve()
    with _IDLE_LOCK:
        idle = _IDLE_LEDGERS.get(snapshot)
        opened = idle.pop() if idle else None
    if opened is None:
        opened = await to_thread.run_sync(open_ledger, snapshot)
    try:
        yield opened
    finally:
        with _IDLE_LOCK:
            idle = _IDLE_LEDGERS.setdefault(snapshot, [])
            keep = len(idle) < MAX_IDLE_LEDGERS
            if keep:
                idle.append(opened)
        if not keep:
            await to_thread.run_sync(opened.con.disconnect)


# scope="function": the session is closed as soon as the route returns, before the response
# is sent, so no transaction (nor SQLite lock) outlives the route.
SessionDep = Annotated[Session, Depends(store_session, scope="function")]
LedgerDep = Annotated[Ledger, Depends(ledger)]


async def current_customer(request: Request) -> str:
    """The signed-in customer's id, or NotSignedIn."""
    customer_id = request.session.get("customer_id")
    if not isinstance(customer_id, str):
        raise NotSignedIn("Please sign in to see your account.")
    return customer_id


def current_staff(request: Request, state: StateDep) -> StaffUser:
    """The signed-in member of staff; a customer (or nobody) is refused.

    Read in a short session of its own, so no store lock is held beyond this read.
    """
    staff_id = request.session.get("staff_id")
    if not isinstance(staff_id, int):
        if "customer_id" in request.session:
            raise Forbidden("The care desk is for our staff. Your own account is at /me.")
        raise NotSignedIn("Please sign in to the care desk.")
    with state.read_sessions() as session:
        user = session.get(StaffUser, staff_id)
    if user is None:
        request.session.clear()
        raise NotSignedIn("Please sign in to the care desk again.")
    return user


def current_lead(user: Annotated[StaffUser, Depends(current_staff)]) -> StaffUser:
    if user.role != StaffRole.LEAD:
        raise Forbidden("Only a lead can do this.")
    return user


def form_csrf(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> None:
    """Every form posts back the session's CSRF token."""
    if not csrf_ok(request.session, csrf_token):
        raise Forbidden("This form has expired. Please go back, reload the page and try again.")


def api_csrf(request: Request, x_csrf_token: Annotated[str | None, Header()] = None) -> None:
    """Every API call that changes something sends the session's CSRF token in X-CSRF-Token."""
    if not csrf_ok(request.session, x_csrf_token):
        raise Forbidden("Send the session's CSRF token in the X-CSRF-Token header.")


CurrentCustomer = Annotated[str, Depends(current_customer)]
CurrentStaff = Annotated[StaffUser, Depends(current_staff)]
CurrentLead = Annotated[StaffUser, Depends(current_lead)]
FormCsrf = Depends(form_csrf)
ApiCsrf = Depends(api_csrf)


#: A row id in a path: 1 to the largest BIGINT, so an absurd id is a 422, never a database error.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
