"""Write a simulated campaign into goodwill's store, as the care run would have recorded it.

One run dated the campaign date, the experiment of the gift kind with the campaign's salt
and holdout, one moment per eligible subscription (``acted`` in the treatment arm,
``withheld`` in the holdout; dedupe key ``better_plan:<subscription_id>:<YYYY-MM>``), an
assignment per customer at the campaign date, and for each moment acted on an action and
a contact. No message is put in the outbox: the campaign is history, nothing to deliver.

>>> record_campaign(Path("sample-data"), "sqlite:///data/goodwill.sqlite")  # doctest: +SKIP
CampaignRecord(run_id=1, moments=221, acted=151, withheld=70, customers=214)
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from goodwill.errors import ConfigError
from goodwill.sample.campaign_truth import CAMPAIGN_FILE, campaign_table, campaign_truth
from goodwill.sample.catalogue import CURRENCY
from goodwill.sample.generator import Sample
from goodwill.store import (
    add_action,
    add_moment_once,
    ensure_experiment,
    finish_run,
    make_engine,
    record_assignment,
    record_contact,
    session_factory,
    start_run,
    upgrade,
)
from goodwill.store.models import Run


@dataclass(frozen=True)
class CampaignRecord:
    """What :func:`record_campaign` stored."""

    run_id: int
    moments: int
    acted: int
    withheld: int
    customers: int


@dataclass(frozen=True)
class _Campaign:
    kind: str
    salt: str
    holdout_percent: int
    at: dt.datetime
    rows: list[dict[str, Any]]

    @property
    def period(self) -> str:
        return f"{self.at.year:04d}-{self.at.month:02d}"


def record_campaign(source: Sample | Path, store: Engine | str) -> CampaignRecord:
    """Store the campaign of a sample (in memory, or the folder ``write_sample`` wrote)."""
    campaign = _from_sample(source) if isinstance(source, Sample) else _from_folder(Path(source))
    engine = make_engine(store) if isinstance(store, str) else store
    upgrade(engine)
    try:
        with session_factory(engine)() as session, session.begin():
            return _record(session, campaign)
    finally:
        if isinstance(store, str):
            engine.dispose()


def _from_sample(sample: Sample) -> _Campaign:
    if sample.campaign is None:
        raise ConfigError("this sample has no campaign: generate it with campaign=CampaignParams()")
    o = sample.campaign
    table = campaign_table(o, len(sample.customers), len(sample.lines), sample.lines.customer)
    return _campaign(campaign_truth(o), table.to_pylist())


def _from_folder(folder: Path) -> _Campaign:
    path = folder / CAMPAIGN_FILE
    if not path.exists():
        raise ConfigError(f"{path} is missing: write the sample with `goodwill sample --campaign`")
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    options = pacsv.ConvertOptions(strings_can_be_null=True)
    return _campaign(truth, pacsv.read_csv(path, convert_options=options).to_pylist())


def _campaign(truth: dict[str, Any], rows: list[dict[str, Any]]) -> _Campaign:
    day = dt.date.fromisoformat(truth["campaign_date"])
    at = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    kind, salt = truth["campaign_kind"], truth["campaign_salt"]
    return _Campaign(kind, salt, truth["campaign_holdout_percent"], at, rows)


def _record(session: Session, c: _Campaign) -> CampaignRecord:
    run = start_run(session, c.at.date(), now=c.at)
    experiment = ensure_experiment(
        session, c.kind, holdout_share_percent=c.holdout_percent, salt=c.salt, now=c.at
    )
    if experiment.salt != c.salt or experiment.holdout_share_percent != c.holdout_percent:
        raise ConfigError(
            f"the store's {c.kind} experiment has salt {experiment.salt!r} and a "
            f"{experiment.holdout_share_percent}% holdout, not the campaign's; use a new store"
        )
    acted = withheld = 0
    for row in c.rows:
        status = _record_row(session, run, experiment.id, c, row)
        acted += status == "acted"
        withheld += status == "withheld"
    counts = {f"found_{c.kind}": len(c.rows), f"{c.kind}_acted": acted,
              f"{c.kind}_withheld": withheld, "already_recorded": len(c.rows) - acted - withheld,
              "messages_queued": 0, "credits_minor": 0}  # fmt: skip
    finish_run(session, run, counts, now=c.at)
    customers = len({row["customer_id"] for row in c.rows})
    return CampaignRecord(run.id, len(c.rows), acted, withheld, customers)


def _record_row(
    session: Session, run: Run, experiment_id: int, c: _Campaign, row: dict[str, Any]
) -> str | None:
    """One eligible subscription: its moment, its customer's arm, and what was done."""
    sid, cid, arm = row["subscription_id"], row["customer_id"], row["arm"]
    status = "acted" if arm == "treatment" else "withheld"
    value = int(row["annual_saving_minor"])
    key = f"{c.kind}:{sid}:{c.period}"
    moment = add_moment_once(
        session, now=c.at, run_id=run.id, customer_id=cid, subscription_id=sid, kind=c.kind,
        detected_for=c.period, value_to_customer_minor=value, cost_to_business_minor=value,
        currency=CURRENCY, evidence=_evidence(row), status=status, dedupe_key=key,
        reason="simulated campaign (goodwill sample --campaign)",
    )  # fmt: skip
    if moment is None:
        return None
    record_assignment(session, experiment_id, cid, arm, now=c.at)
    if status == "acted":
        add_action(session, customer_id=cid, kind="message", moment_id=moment.id,
                   currency=CURRENCY, now=c.at)  # fmt: skip
        record_contact(session, customer_id=cid, at=c.at, message_type="advice",
                       moment_kind=c.kind, subscription_id=sid, dedupe_key=key,
                       saving_minor=value, currency=CURRENCY)  # fmt: skip
    return status


def _evidence(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("current_plan_id", "recommended_plan_id", "monthly_saving_minor", "annual_saving_minor")
    return {k: row[k] for k in keep}
