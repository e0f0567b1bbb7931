"""Engines and sessions for the store: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from goodwill.errors import ConfigError, StoreError

if TYPE_CHECKING:  # settings pull in pydantic; worker processes start faster without it
    from goodwill.settings import Settings

#: How long a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0
SQLITE_POOL_SIZE = 40

log = logging.getLogger("goodwill.store")
T = TypeVar("T")


def store_url_for(settings: Settings) -> str:
    """The store's URL: the ``store_url`` setting, or a SQLite file in the data folder.

    With ``data_dir=/srv/gw`` and no store_url: ``sqlite:////srv/gw/goodwill.sqlite``.
    """
    return settings.store_url or f"sqlite:///{settings.data_dir.resolve() / 'goodwill.sqlite'}"


def parse_url(url: str | URL) -> URL:
    """The URL parsed, or a ConfigError that shows what a good one looks like."""
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"store URL {str(url)!r} is not a database URL; use e.g. sqlite:///goodwill.sqlite "
            "or postgresql+psycopg://user@host:5432/goodwill"
        ) from exc


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for the store at ``url``, set up for goodwill's transactions.

    On SQLite: foreign keys on, WAL journal, a busy timeout, and every transaction of a
    writing session begins with ``BEGIN IMMEDIATE`` so a writer holds the lock from its
    first statement (two processes cannot both read a budget and then both spend it).
    A reading session (:func:`session_factory` with ``reads_only``) begins ``DEFERRED``:
    under WAL it reads a snapshot, never waits for a writer and never holds one up.
    The file's folder is made.

    On PostgreSQL every connection is pinged as it leaves the pool (``pool_pre_ping``), so
    after the server restarts the first request gets a fresh connection rather than a dead
    one; a connection lost mid-transaction invalidates the whole pool.
    """
    parsed = parse_url(url)
    kwargs.setdefault("json_serializer", store_json)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # A connection is an open file: keep one for each of the web's request threads (40)
    # rather than opening one, with its pragmas, for every request past the fifth.
    kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
    engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def store_json(value: object) -> str:
    """A JSON column's text, compact, written by orjson: a moment's frozen evidence
    (:class:`~goodwill.domain.moments.FrozenDict`, a dict) as any dict, other read-only
    mappings through :func:`_mapping_as_dict`, tuples as lists, dates as ISO text.
    A care run writes every moment's evidence: orjson takes a fifteenth of the time
    ``json.dumps`` took over the same evidence (1M customers: 3.6 s of CPU).

    >>> from types import MappingProxyType
    >>> store_json(MappingProxyType({"a": (1, MappingProxyType({"b": None}))}))
    '{"a":[1,{"b":null}]}'
    """
    return orjson.dumps(value, default=_mapping_as_dict, option=orjson.OPT_NON_STR_KEYS).decode()


def _mapping_as_dict(value: object) -> dict[object, object]:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


#: The page size of a new SQLite store; a store made before keeps its own, as SQLite sets
#: it when it makes the file. A care run writes its messages with their text and HTML
#: bodies (about 2.9 KB a row): a 4 KB page holds one and leaves a quarter of itself
#: empty, a 16 KB page holds five. At 1,000,000 customers the run's store is 17% smaller
#: (1,035 MB to 859 MB) and it writes a quarter less to disk (3.4 GB to 2.6 GB), with
#: 2-3 s less system time (``benchmarks/care_scale.py``).
SQLITE_PAGE_SIZE = 16_384


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN to the first write and never
    # makes it IMMEDIATE; switch it off and let the "begin" hook issue it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")  # a new file's; before WAL
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    reads_only = connection.get_execution_options().get(READS_ONLY, False)
    connection.exec_driver_sql("BEGIN DEFERRED" if reads_only else "BEGIN IMMEDIATE")


#: The execution option that marks a connection whose transactions only read.
READS_ONLY = "goodwill_reads_only"


def reading_engine(engine: Engine) -> Engine:
    """``engine`` (same pool) for transactions that mostly read: DEFERRED on SQLite, so
    they take no lock until they write, and under WAL a read never waits for a writer.
    (PostgreSQL's reads never wait for writers anyway.) Such a transaction may still write,
    but on SQLite it must write before it reads: a deferred transaction that read first
    fails (SQLITE_BUSY) if another writer committed since."""
    return engine.execution_options(**{READS_ONLY: True})


def session_factory(engine: Engine, *, reads_only: bool = False) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit.

    Sessions that write (the default) take SQLite's write lock at their first statement;
    ``reads_only=True`` gives sessions that never wait for a writer (see
    :func:`reading_engine`).
    """
    return sessionmaker(reading_engine(engine) if reads_only else engine, expire_on_commit=False)


@contextmanager
def reporting_store_errors(engine: Engine) -> Iterator[None]:
    """Turn a database error into a StoreError that names the store (password hidden)."""
    try:
        yield
    except SQLAlchemyError as exc:
        where = engine.url.render_as_string(hide_password=True)
        cause = getattr(exc, "orig", None) or exc
        raise StoreError(
            f"the store at {where} failed: {str(cause).strip()}; check that the database is "
            "running and GOODWILL_STORE_URL points at it"
        ) from exc


def store_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the store could not be reached or dropped the connection (a
    server restarting or down), as against a fault of the statement or of the data.

    On SQLite only a lost connection counts (a locked database is a different fault).
    """
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError) and not _is_sqlite_error(exc)


def _is_sqlite_error(exc: DBAPIError) -> bool:
    return type(exc.orig).__module__.startswith("sqlite3")


def retrying_while_unreachable(
    work: Callable[[], T], *, what: str, wait_s: float = 60.0, pause_s: float = 0.25
) -> T:
    """``work()``, run again while the store is unreachable (:func:`store_unreachable`),
    for up to ``wait_s``; any other error, or the last one, is raised.

    Only for work that is safe to run twice: one transaction whose second run, after a
    first that committed but lost its answer, changes nothing more (``mark_sent`` of a
    message already sent, a claim whose rows then wait out their lease).
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return work()
        except DBAPIError as exc:
            if not store_unreachable(exc) or time.monotonic() + pause_s > deadline:
                raise
            log.warning("store unreachable during %s, trying again: %s", what, exc.orig)
            time.sleep(pause_s)
            pause_s = min(pause_s * 2, 2.0)
