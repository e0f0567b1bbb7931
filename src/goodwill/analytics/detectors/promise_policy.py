"""The compensation policy a run uses: the defaults, or the operator's TOML file.

The file (setting ``compensation_policy_file``) overrides the defaults kind by kind::

    currency = "GBP"
    at_risk_hours = 24
    lookback_days = 30

    [kinds.repair]            # Ofcom 2019: £8 a day after 2 full working days
    per_day_minor = 800
    grace_days = 2
    grace_unit = "working_days"

    [kinds.engineer_appointment]   # Ofcom 2019: £25, also if cancelled < 24 hours ahead
    fixed_minor = 2500
    cap_minor = 2500
    late_cancel_notice_hours = 24

    [kinds.sim_delivery]
    fixed_minor = 200
    per_day_minor = 100
    cap_minor = 1000
    lead_time_hours = 24
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from goodwill.domain.compensation import DEFAULT_TERMS, CompensationPolicy, KindTerms
from goodwill.errors import ConfigError

_TERM_KEYS = {"fixed_minor", "per_day_minor", "grace_days", "grace_unit", "cap_minor"}
#: Keys given in hours in the file, and the KindTerms field each one sets.
_HOUR_KEYS = {"lead_time_hours": "lead_time", "late_cancel_notice_hours": "late_cancel_notice"}


def policy_for(settings: object) -> CompensationPolicy:
    """The policy named by ``settings.compensation_policy_file``, or the defaults."""
    path = getattr(settings, "compensation_policy_file", None)
    return load_policy(Path(path)) if path else CompensationPolicy()


def load_policy(path: Path) -> CompensationPolicy:
    """Read a compensation policy file; errors name the file, the key and the bad value."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"compensation policy {path}: {exc}") from exc
    return policy_from_mapping(data, where=str(path))


def policy_from_mapping(data: Mapping[str, Any], where: str = "policy") -> CompensationPolicy:
    """A policy from plain data; kinds not named keep their default terms."""
    terms = dict(DEFAULT_TERMS)
    for kind, given in dict(data.get("kinds", {})).items():
        terms[kind] = _terms(given, f"{where} [kinds.{kind}]")
    try:
        return CompensationPolicy(
            terms=terms,
            currency=str(data.get("currency", "GBP")),
            at_risk_window=timedelta(hours=float(data.get("at_risk_hours", 24))),
            lookback=timedelta(days=float(data.get("lookback_days", 30))),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _terms(given: Mapping[str, Any], where: str) -> KindTerms:
    unknown = set(given) - _TERM_KEYS - set(_HOUR_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown keys {sorted(unknown)}; use {sorted(_TERM_KEYS | set(_HOUR_KEYS))}"
        )
    try:
        hours: dict[str, Any] = {
            f: timedelta(hours=float(given[k])) for k, f in _HOUR_KEYS.items() if k in given
        }
        return KindTerms(**{k: v for k, v in given.items() if k in _TERM_KEYS}, **hours)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc
