"""The sample's free text: known themes, drawn from a stream of their own, shaped by what
happened to the customer, with typos and mixed case; truth.json records the themes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from goodwill.sample import generate_sample
from goodwill.sample.feedback import recent
from goodwill.sample.feedback_phrases import CLOSERS, OPENERS, THEME_NAMES, THEMES
from goodwill.sample.feedback_text import TEXT_STREAM, Experience, draw_texts, theme_chances
from goodwill.sample.feedback_truth import themes_truth
from goodwill.sample.generator import Sample
from goodwill.sample.ticket_events import EVENT_STREAM

ASOF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def sample() -> Sample:
    return generate_sample(customers=6_000, months=12, seed=5, asof=ASOF)


def test_every_answer_with_text_has_a_theme_and_words(sample: Sample) -> None:
    t = sample.texts
    has = sample.feedback.text >= 0
    assert ((t.theme >= 0) == has).all()
    assert all(bool(w.strip()) == h for w, h in zip(t.text, has, strict=True))
    assert set(t.theme[has]) == set(range(len(THEMES)))


def test_the_words_come_from_their_own_stream(sample: Sample) -> None:
    """Drawing the words again from stream TEXT_STREAM gives the same words: the main stream
    (every other table) never sees them."""
    e = Experience(sample.customers.left_s, _misfit(sample), _broken(sample))
    again = draw_texts(sample.seed, sample.feedback, e)
    assert again.text == sample.texts.text
    assert TEXT_STREAM != EVENT_STREAM


def _broken(s: Sample) -> tuple[np.ndarray, np.ndarray]:
    from goodwill.sample.clock import NEVER

    at = s.promises.broken_at_s
    return s.promises.customer[at != NEVER], at[at != NEVER]


def _misfit(s: Sample) -> np.ndarray:
    from goodwill.sample.needs import NO_MONTH

    misfit = np.full(len(s.customers), NO_MONTH, dtype=np.int64)
    np.minimum.at(misfit, s.lines.customer, s.choice.misfit_month)
    return misfit


def test_a_broken_promise_makes_a_late_delivery_text_likely(sample: Sample) -> None:
    f, t = sample.feedback, sample.texts
    has = t.theme >= 0
    broken = recent(_broken(sample), f.customer, f.at_s) & has
    late = t.theme == THEME_NAMES.index("delivery_late")
    assert late[broken].mean() > 3 * late[has & ~broken].mean()


def test_texts_have_typos_and_mixed_case(sample: Sample) -> None:
    words = [w for w in sample.texts.text if w]
    assert any(w.isupper() for w in words) and any(w.islower() for w in words)
    assert any(w[:1].isupper() and not w.isupper() for w in words)
    phrases = [p for theme in THEMES for p in theme.core + theme.detail] + [*OPENERS, *CLOSERS]
    vocabulary = {word.strip(",.!").lower() for phrase in phrases for word in phrase.split()}
    typo = [w for w in words if any(x.strip(",.!").lower() not in vocabulary and x.isalpha()
                                    for x in w.split() if len(x) >= 5)]  # fmt: skip
    assert 0.02 < len(typo) / len(words) < 0.4


def test_truth_records_each_theme_and_its_churn_effect(sample: Sample) -> None:
    truth = themes_truth(sample)
    assert truth["churn_window_days"] == 183
    themes = truth["themes"]
    assert set(themes) == set(THEME_NAMES)
    assert sum(v["answers"] for v in themes.values()) == truth["answers_with_text"]
    for name in ("roaming_charge", "switching_easy"):
        assert themes[name]["has_churn_effect"] is False
        assert themes[name]["churn_risk_ratio"] == pytest.approx(1.0)
    assert themes["data_slow"]["churn_risk_ratio"] > 1.3
    assert themes["agent_kind"]["churn_risk_ratio"] < 0.8


def test_leaving_tilts_the_planted_themes_only(sample: Sample) -> None:
    """The same answers, as if every writer left within six months or none did: slow data
    becomes likelier, a kind agent less likely, and the fixed-share themes do not move."""
    e = Experience(sample.customers.left_s, _misfit(sample), _broken(sample))
    n = len(sample.feedback)
    leave = theme_chances(sample.feedback, e, np.ones(n, dtype=np.bool_))
    stay = theme_chances(sample.feedback, e, np.zeros(n, dtype=np.bool_))
    np.testing.assert_allclose(leave.sum(axis=1), 1.0)
    assert (
        leave[:, THEME_NAMES.index("data_slow")] > stay[:, THEME_NAMES.index("data_slow")]
    ).all()
    assert (
        leave[:, THEME_NAMES.index("agent_kind")] < stay[:, THEME_NAMES.index("agent_kind")]
    ).all()
    for name in ("roaming_charge", "switching_easy"):
        np.testing.assert_array_equal(
            leave[:, THEME_NAMES.index(name)], stay[:, THEME_NAMES.index(name)]
        )


def test_the_feedback_table_keeps_its_scores(sample: Sample) -> None:
    """Scores, times and kinds are drawn on the main stream as before the words existed."""
    again = generate_sample(customers=6_000, months=12, seed=5, asof=ASOF)
    for field in dataclasses.fields(sample.feedback):
        assert (getattr(again.feedback, field.name) == getattr(sample.feedback, field.name)).all()
