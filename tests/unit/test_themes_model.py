"""The theme model: on the sample it finds the true themes; pinned themes keep their names
month to month; degenerate input gives a reason, never a traceback."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from goodwill.analytics.themes import ThemeModel, parse_pins
from goodwill.analytics.themes.vectorize import MAX_ANSWER_CHARS
from goodwill.errors import ConfigError
from goodwill.sample import generate_sample
from goodwill.sample.clock import month_of
from goodwill.sample.feedback_phrases import THEMES
from goodwill.sample.generator import Sample

PINS = parse_pins(
    {
        "themes": {
            "data too slow": ["slow data", "data speeds"],
            "bill higher than expected": ["bill higher", "expected"],
            "SIM or delivery late": ["sim delivery", "late"],
        }
    }
)


@pytest.fixture(scope="module")
def sample() -> Sample:
    return generate_sample(customers=12_000, months=12, seed=3, asof=dt.date(2026, 11, 23))


def _texts(s: Sample, keep: np.ndarray | None = None) -> tuple[list[str], np.ndarray]:
    has = s.texts.theme >= 0 if keep is None else (s.texts.theme >= 0) & keep
    index = np.flatnonzero(has)
    return [s.texts.text[i] for i in index], s.texts.theme[index]


def test_every_true_theme_is_recovered_by_one_found_theme(sample: Sample) -> None:
    texts, truth = _texts(sample)
    model = ThemeModel().fit(texts)
    assert model.ok, model.reason_
    assert model.k_ == len(THEMES), model.candidates_
    found_for = {}
    for k, theme in enumerate(THEMES):
        found = model.assignment_[truth == k]
        best = np.bincount(found[found >= 0], minlength=model.k_).argmax()
        share = (found == best).mean()
        assert share >= 0.8, f"{theme.name}: {share:.0%} in {model.themes_[best].label}"
        found_for[theme.name] = int(best)
    assert len(set(found_for.values())) == len(THEMES), found_for


def test_each_theme_has_a_label_top_terms_and_verbatims_of_its_own(sample: Sample) -> None:
    texts, _ = _texts(sample)
    model = ThemeModel().fit(texts)
    labels = [t.label for t in model.themes_]
    assert len(set(labels)) == len(labels)
    for theme in model.themes_:
        assert theme.top_terms and all(w > 0 for _, w in theme.top_terms)
        assert 1 <= len(theme.verbatims) <= 5
        assert all(model.assignment_[i] == theme.index for i in theme.verbatims)
        assert len({texts[i].lower() for i in theme.verbatims}) == len(theme.verbatims)
    assert sum(t.answers for t in model.themes_) == (model.assignment_ >= 0).sum()


def test_pinned_themes_keep_their_names_across_two_months(sample: Sample) -> None:
    month = month_of(sample.feedback.at_s)
    last = int(month.max()) - 1
    names = {pin.name: k for pin in PINS for k, t in enumerate(THEMES) if t.label == pin.name}
    assert len(names) == len(PINS)
    for m in (last - 1, last):
        texts, truth = _texts(sample, month == m)
        model = ThemeModel(pins=PINS).fit(texts)
        assert model.ok, model.reason_
        label_of = {t.index: t.label for t in model.themes_}
        for name, true_k in names.items():
            assigned = [label_of.get(int(a)) for a in model.assignment_[truth == true_k]]
            share = sum(1 for a in assigned if a == name) / len(assigned)
            assert share >= 0.8, f"month {m}: {name} kept by {share:.0%}"
        assert sum(t.pinned for t in model.themes_) == len(PINS)


def test_a_pinned_theme_with_unknown_words_is_noted(sample: Sample) -> None:
    texts, _ = _texts(sample)
    pins = parse_pins(
        {"themes": {"football": ["penalty shootout"], **{p.name: list(p.seed_terms) for p in PINS}}}
    )
    model = ThemeModel(pins=pins).fit(texts[:1500])
    assert model.ok
    assert any("football" in note for note in model.notes_)


@pytest.mark.parametrize(
    ("texts", "words"),
    [
        ([], "no answers"),
        (["My data is slow"], "only one answer"),
        (["My data is slow"] * 200, "say the same thing"),
        (["", " ", ""], "none with words"),
        ([f"Mój internet jest bardzo wolny {i}" for i in range(40)]
         + [f"数据太慢了 {i}" for i in range(40)], "look like English"),
        (["x" * 1_000_000], "only one answer"),
    ],
    ids=["none", "one", "identical", "blank", "not-english", "one-megabyte-alone"],
)  # fmt: skip
def test_degenerate_input_gives_a_reason(texts: list[str], words: str) -> None:
    model = ThemeModel().fit(texts)
    assert not model.ok
    assert model.reason_ is not None and words in model.reason_
    assert model.themes_ == ()
    assert (model.assignment_ == -1).all() and len(model.assignment_) == len(texts)


def test_one_megabyte_answer_among_others_is_read_in_part(sample: Sample) -> None:
    texts, _ = _texts(sample)
    texts = [*texts[:800], "my data is so slow " * 55_000]
    assert len(texts[-1]) > 1_000_000
    model = ThemeModel().fit(texts)
    assert model.ok
    assert any(f"{MAX_ANSWER_CHARS:,}" in note for note in model.notes_)
    slow = next(t for t in model.themes_ if "slow" in t.label)
    assert model.assignment_[-1] == slow.index


def test_stop_words_only_gives_a_reason() -> None:
    model = ThemeModel().fit([f"it was {w}" for w in ("the", "and", "of", "a", "to")] * 3
                             + ["the the", "and and", "of of", "a a", "to to"])  # fmt: skip
    assert not model.ok and model.reason_ is not None and "common English words" in model.reason_


def test_bad_pins_name_the_theme() -> None:
    with pytest.raises(ConfigError, match="'late'"):
        parse_pins({"themes": {"late": "sim"}})
    with pytest.raises(ConfigError, match=r"\[themes\]"):
        parse_pins({"other": {}})
