"""Fit a lifetime-value model to a CSV file: which columns each model reads."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from goodwill.analytics.clv.base import Fitter
from goodwill.analytics.clv.bgnbd import BetaGeoFitter
from goodwill.analytics.clv.gamma_gamma import GammaGammaFitter
from goodwill.analytics.clv.sbg import ShiftedBetaGeometricFitter
from goodwill.errors import ConfigError

#: The columns each model reads from its CSV (the lifetimes naming, so files carry over).
MODEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "sbg": ("alive",),
    "bgnbd": ("frequency", "recency", "T"),
    "gammagamma": ("frequency", "monetary_value"),
}


def read_columns(path: Path, names: tuple[str, ...]) -> list[list[float]]:
    """The named numeric columns of a CSV file, in file order."""
    if not path.is_file():
        raise ConfigError(f"--input {path}: no such file")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [n for n in names if n not in (reader.fieldnames or [])]
        if missing:
            raise ConfigError(
                f"{path}: missing column(s) {', '.join(missing)}; this model reads {', '.join(names)}"
            )
        columns: list[list[float]] = [[] for _ in names]
        for row_number, row in enumerate(reader, start=2):
            for values, name in zip(columns, names, strict=True):
                values.append(_number(path, row_number, name, row[name]))
    return columns


def _number(path: Path, row: int, column: str, text: str | None) -> float:
    try:
        return float(text or "")
    except ValueError:
        raise ConfigError(f"{path} row {row}: {column} {text!r} is not a number") from None


def fit_model(model: str, path: Path) -> Fitter:
    """Fit ``model`` (sbg, bgnbd or gammagamma) to the CSV at ``path``."""
    if model not in MODEL_COLUMNS:
        raise ConfigError(f"--model {model!r}: choose one of {', '.join(MODEL_COLUMNS)}")
    columns = read_columns(path, MODEL_COLUMNS[model])
    try:
        if model == "sbg":
            return ShiftedBetaGeometricFitter().fit(columns[0])
        if model == "bgnbd":
            return BetaGeoFitter().fit(*columns)
        return GammaGammaFitter().fit(*columns)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def fit_report(model: str, fitter: Fitter) -> dict[str, Any]:
    """A JSON-ready account of a fit; the sBG one adds its projection 5 periods on."""
    out: dict[str, Any] = {
        "model": model,
        "n": fitter.n_,
        "log_likelihood": fitter.log_likelihood_,
        "params": fitter.summary_rows(),
    }
    if isinstance(fitter, ShiftedBetaGeometricFitter):
        until = fitter.periods_ + 5
        out["projection"] = {
            "start": 100.0,
            "alive": fitter.project(until),
            "observed_periods": fitter.periods_,
        }
    return out
