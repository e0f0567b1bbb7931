"""Messages rendered ahead in forked workers are the messages rendering in process writes,
whatever a worker does: a message that fails there, or a worker that dies, is rendered
again in the run's process, which raises what it raises there."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import DateTime, select

from goodwill.analytics.detectors.base import DetectorContext
from goodwill.analytics.detectors.registry import load_detectors
from goodwill.analytics.engine import open_ledger_for
from goodwill.channels import render_ahead
from goodwill.channels.render import MessageRenderer
from goodwill.channels.render_ahead import RenderJob, RendersAhead
from goodwill.domain.moments import Moment, thaw
from goodwill.errors import MessageTemplateError
from goodwill.services import act
from goodwill.services.care_run import run_care
from goodwill.services.detect import detect_all
from goodwill.settings import Settings
from goodwill.store import make_engine
from goodwill.store.models import Base, LoginToken
from tests.integration.sample_folder import sample_data_dir

ASOF = date(2026, 11, 23)
RUN_TABLES = ("runs", "moments", "actions", "messages", "contacts", "assignments", "budget_spend")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("render-ahead")
    return sample_data_dir(root, customers=800, seed=11, asof=ASOF)


@pytest.fixture(scope="module")
def jobs(data_dir: Path) -> dict[str, RenderJob]:
    """A job for each moment the built-in detectors find with built-in templates."""
    settings = Settings(data_dir=data_dir)
    context = DetectorContext(open_ledger_for(settings), ASOF, settings)
    moments = [m for d in detect_all(load_detectors(), context) for m in d.moments]
    links = {"switch": "mailto:care@example.com", "account": "https://example.com/me"}
    return {m.dedupe_key: RenderJob(m, f"Ann {i}", None, links) for i, m in enumerate(moments)}


class DiesInAWorker(str):
    """A customer's name that ends the process that prints it, unless it is the test's."""

    def __str__(self) -> str:
        if os.getpid() != PARENT:
            os._exit(3)
        return str.__str__(self)


PARENT = os.getpid()


def started(jobs: dict[str, RenderJob], renderer: MessageRenderer, **options: int) -> RendersAhead:
    return RendersAhead.start(renderer, jobs, workers=2, min_messages=1, **options)


def taken(ahead: RendersAhead, keys: list[str]) -> Iterator[object]:
    try:
        yield from (ahead.take(key) for key in keys)
    finally:
        ahead.close()


def test_messages_rendered_ahead_are_byte_identical_to_rendering_in_process(
    jobs: dict[str, RenderJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_ahead, "CHUNK_MESSAGES", 37)  # many chunks, a short last one
    renderer = MessageRenderer()
    assert len(jobs) > 3 * 37 and len({j.moment.kind for j in jobs.values()}) >= 5
    # Every other job's links made where it renders (in a worker), as a run makes them.
    lazy = {
        k: j._replace(links=partial(dict, j.links)) if i % 2 else j
        for i, (k, j) in enumerate(jobs.items())
    }
    ahead = started(lazy, renderer)
    assert ahead.in_workers
    assert list(taken(ahead, list(jobs))) == [job.render(renderer) for job in jobs.values()]


def test_too_few_messages_or_no_workers_render_nothing_ahead(jobs: dict[str, RenderJob]) -> None:
    renderer = MessageRenderer()
    for ahead in (
        RendersAhead.start(renderer, jobs, workers=2, min_messages=len(jobs) + 1),
        RendersAhead.start(renderer, jobs, workers=0, min_messages=1),
    ):
        assert not ahead.in_workers
        assert set(taken(ahead, list(jobs))) == {None}  # the caller renders, as before


def test_a_worker_that_dies_loses_no_message(
    jobs: dict[str, RenderJob], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker that prints the poisoned name exits; its pool breaks; every message is
    still the one rendering in process gives, the poisoned one included."""
    monkeypatch.setattr(render_ahead, "CHUNK_MESSAGES", 25)
    keys = list(jobs)
    poisoned = dict(jobs)
    poisoned[keys[30]] = jobs[keys[30]]._replace(customer_name=DiesInAWorker("Ann"))
    renderer = MessageRenderer()
    got = list(taken(started(poisoned, renderer), keys))
    assert got == [job.render(renderer) for job in poisoned.values()]
    assert "Hi Ann," in got[30].text  # type: ignore[attr-defined]
    assert caplog.text.count("a render worker failed (BrokenProcessPool(") == 1


def test_a_message_that_fails_in_a_worker_fails_as_in_process(
    jobs: dict[str, RenderJob],
) -> None:
    keys = list(jobs)
    broken_job = jobs[keys[3]]
    evidence = {k: v for k, v in thaw(broken_job.moment.evidence).items()}  # type: ignore[union-attr]
    evidence.clear()  # every template reads the evidence: none left to read
    moment = dataclasses.replace(broken_job.moment, evidence=evidence)
    broken = dict(jobs) | {keys[3]: broken_job._replace(moment=moment)}
    renderer = MessageRenderer()
    ahead = started(broken, renderer)
    try:
        assert ahead.take(keys[2]) == jobs[keys[2]].render(renderer)
        with pytest.raises(MessageTemplateError, match=r"template .*evidence has \[\]"):
            ahead.take(keys[3])
        assert ahead.take(keys[4]) == jobs[keys[4]].render(renderer)
    finally:
        ahead.close()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_order_and_any_subset_taken_gives_the_in_process_messages(
    jobs: dict[str, RenderJob], data: st.DataObject
) -> None:
    """Chunks dropped by ``only``, keys taken in any order or not rendered ahead at all."""
    keys = data.draw(st.lists(st.sampled_from(list(jobs)), min_size=1, max_size=60, unique=True))
    wanted = data.draw(st.permutations(keys))
    chunk = data.draw(st.integers(1, 40))
    renderer = MessageRenderer()
    ahead = RendersAhead(renderer, {k: jobs[k] for k in keys})
    ahead._chunk = chunk  # as CHUNK_MESSAGES would set it
    ahead._fork(2)
    ahead.only(wanted[: len(wanted) // 2 + 1])
    taking = [*wanted[: len(wanted) // 2 + 1], "not:a:key"]
    got = list(taken(ahead, taking))
    assert got[-1] is None
    assert got[:-1] == [jobs[k].render(renderer) for k in taking[:-1]]


def stored_rows(store_url: str) -> dict[str, list[tuple[object, ...]]]:
    """The rows a run wrote, by primary key, without the columns that hold the wall clock."""
    engine = make_engine(store_url)
    rows = {}
    with engine.connect() as connection:
        for name in RUN_TABLES:
            table = Base.metadata.tables[name]
            kept = [
                c
                for c in table.columns
                if not isinstance(getattr(c.type, "impl", c.type), DateTime)
            ]
            query = select(*kept).order_by(*table.primary_key.columns)
            rows[name] = [tuple(row) for row in connection.execute(query)]
    engine.dispose()
    return rows


def test_a_run_stores_the_same_rows_with_messages_rendered_ahead(
    tmp_path: Path,
    data_dir: Path,
    store_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """On SQLite and PostgreSQL: the same moments, actions, outbox (same ids, same order)
    and contacts, rendered in process and written at once, or ahead in workers and
    written in batches while they render; a second run adds nothing."""
    in_process = Settings(data_dir=data_dir, store_url=f"sqlite:///{tmp_path / 'one.sqlite'}")
    monkeypatch.setattr(render_ahead, "MIN_MESSAGES_AHEAD", 10**9)
    monkeypatch.setattr(act, "OUTBOX_BATCH", 10**9)
    run_care(in_process, ASOF, deliver_now=False)
    monkeypatch.setattr(render_ahead, "MIN_MESSAGES_AHEAD", 1)
    monkeypatch.setattr(render_ahead, "CHUNK_MESSAGES", 9)
    monkeypatch.setattr(act, "OUTBOX_BATCH", 13)
    ahead = Settings(data_dir=data_dir, store_url=store_url)
    with caplog.at_level("DEBUG", logger="goodwill.channels"):
        report = run_care(ahead, ASOF, deliver_now=False)
    assert "messages ahead in" in caplog.text
    assert report.acted is not None and report.acted.messages_queued > 50
    expected = stored_rows(in_process.store_url or "")
    assert stored_rows(store_url) == expected
    again = run_care(ahead, ASOF, deliver_now=False)
    assert again.acted is not None and again.acted.messages_queued == 0
    assert {t: r for t, r in stored_rows(store_url).items() if t != "runs"} == {
        t: r for t, r in expected.items() if t != "runs"
    }


def test_links_with_sign_in_tokens_are_made_for_the_messages_written_only(
    tmp_path: Path, data_dir: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where messages link into the web app, each link issues a token: as many tokens as
    rendering in process issues, each for a message written, and none on a second run."""
    web = {"public_url": "https://care.example.com"}
    in_process = Settings(
        data_dir=data_dir, store_url=f"sqlite:///{tmp_path / 'one.sqlite'}", **web
    )
    monkeypatch.setattr(render_ahead, "MIN_MESSAGES_AHEAD", 10**9)
    run_care(in_process, ASOF, deliver_now=False)
    monkeypatch.setattr(render_ahead, "MIN_MESSAGES_AHEAD", 1)
    ahead = Settings(data_dir=data_dir, store_url=store_url, **web)
    run_care(ahead, ASOF, deliver_now=False)
    issued = token_holders(store_url)
    assert issued == token_holders(in_process.store_url or "") and len(issued) > 50
    run_care(ahead, ASOF, deliver_now=False)
    assert token_holders(store_url) == issued


def token_holders(store_url: str) -> list[str]:
    engine = make_engine(store_url)
    with engine.connect() as connection:
        holders = sorted(connection.execute(select(LoginToken.customer_id)).scalars())
    engine.dispose()
    return holders


def test_a_run_whose_template_fails_in_the_workers_stores_nothing(
    tmp_path: Path, data_dir: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "better_plan.txt.j2").write_text("Hi {{ name }}, {{ evidence.no_such_key }}\n")
    monkeypatch.setattr(render_ahead, "MIN_MESSAGES_AHEAD", 1)
    settings = Settings(data_dir=data_dir, store_url=store_url, templates_dir=templates)
    with pytest.raises(MessageTemplateError, match=r"better_plan\.txt\.j2"):
        run_care(settings, ASOF, deliver_now=False)
    assert {t: r for t, r in stored_rows(store_url).items()} == {t: [] for t in RUN_TABLES}


def test_moments_of_a_kind_without_a_renderable_owner_render_in_the_run() -> None:
    """Care moments take their owner from the case book as the run goes: never ahead."""
    from goodwill.services.act import _words_known_ahead

    care = Moment("C1", None, "slow_first_response", "2026-11-20", 0, 0, "GBP", {}, "care")
    advice = Moment("C1", "S1", "better_plan", "2026-11", 100, 100, "GBP", {}, "advice")
    credit = dataclasses.replace(advice, gift="credit")
    assert [_words_known_ahead(m) for m in (care, advice, credit)] == [False, True, False]
