"""The tone check flags corporate phrases, jargon and long sentences, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodwill.domain import tone
from goodwill.domain.tone import CORPORATE_PHRASES, JARGON, MAX_SENTENCE_WORDS, check_tone

WARM = """\
Hi Priya,

We looked at your last six months. Goodybag 5GB would cost you £4.50 a month less.
Switching takes one click: https://example.com/switch?plan=5gb&utm_source=email

If you'd rather stay, you don't need to do anything. Sam is looking after this.
"""


def test_a_warm_message_has_no_issues() -> None:
    assert check_tone(WARM) == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Dear Valued Customer, thanks.", "Valued Customer"),
        ("Please be advised your plan changes.", "Please be advised"),
        ("We regret to inform you that it's late.", "We regret to inform you"),
        ("We can't do that at this time.", "at this time"),
        ("Do not hesitate to call.", "Do not hesitate"),
        ("As per your request, done.", "As per"),
        ("Kindly pay the bill.", "Kindly"),
        ("Pursuant to clause 4, we can.", "Pursuant to"),
        ("This is in accordance with our terms.", "in accordance with"),
        ("We apologise for any inconvenience.", "We apologise for any inconvenience"),
    ],
)
def test_corporate_phrases_are_flagged_with_a_reason(text: str, flagged: str) -> None:
    issues = check_tone(text)
    assert [(i.kind, i.text) for i in issues] == [("phrase", flagged)]
    assert issues[0].why.startswith("corporate phrase: ")
    assert flagged in str(issues[0])


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Your tariff migration is booked.", "tariff migration"),
        ("Your MRC goes down.", "MRC"),
        ("It lifts ARPU.", "ARPU"),
        ("Add a roaming bolt-on.", "bolt-on"),
        ("OOB charges apply.", "OOB"),
        ("We charge pro rata.", "pro rata"),
    ],
)
def test_jargon_is_flagged_with_what_to_say_instead(text: str, flagged: str) -> None:
    issues = check_tone(text)
    assert [(i.kind, i.text) for i in issues] == [("jargon", flagged)]
    assert issues[0].why.startswith("jargon: ")


def test_acronyms_match_only_in_capitals_and_only_as_words() -> None:
    assert check_tone("See https://example.com/mrc/oob and your carpus.") == []
    assert check_tone("Kindlyness is not a word, but unkindly is.") == []


def test_issues_come_in_the_order_they_appear() -> None:
    issues = check_tone("Kindly note your MRC. As per usual, at this time.")
    assert [i.text for i in issues] == ["Kindly", "MRC", "As per", "at this time"]


def test_the_same_phrase_twice_is_flagged_twice() -> None:
    assert len(check_tone("Kindly do this. Kindly do that.")) == 2


def test_a_long_sentence_is_flagged_with_its_length() -> None:
    long = " ".join(["word"] * (MAX_SENTENCE_WORDS + 1)) + "."
    just_right = " ".join(["word"] * MAX_SENTENCE_WORDS) + "."
    issues = check_tone(f"Short one. {long} {just_right}")
    assert [(i.kind, i.text) for i in issues] == [("long_sentence", long)]
    assert issues[0].why.startswith(f"{MAX_SENTENCE_WORDS + 1} words")


def test_line_breaks_end_sentences_and_links_and_dashes_are_not_counted_as_words() -> None:
    lines = "\n".join(["- Goodybag 10GB: £10 a month"] * 10)
    assert check_tone(lines) == []
    link = "https://example.com/" + "a/" * 40
    words = " ".join(["word"] * 20) + " — " + link + " — done."
    assert check_tone(words) == []


def test_every_entry_explains_itself() -> None:
    for term, why in {**CORPORATE_PHRASES, **JARGON}.items():
        assert why and term.strip() == term


TERMS = [*tone.CORPORATE_PHRASES, *tone.JARGON]
WORDS = st.sampled_from([*TERMS, *(t.upper() for t in TERMS), *(t.lower() for t in TERMS), "Hi",
                         "save", "£4", "a", "month.", "link", "mrc-x", "churned", "\n", "-"])  # fmt: skip


@given(st.lists(WORDS, max_size=40).map(" ".join))
def test_the_one_pass_prefilter_finds_what_each_term_finds(text: str) -> None:
    """check_tone skips the per-term scan when one combined pass finds nothing; the
    answer must be what scanning for every term one by one gives."""
    one_by_one = [
        (m.start(), kind, m.group(0))
        for kind, _, patterns in tone._WORD_CHECKS
        for pattern, _ in patterns
        for m in pattern.finditer(text)
    ]
    one_by_one.sort(key=lambda found: found[0])
    issues = [(i.kind, i.text) for i in tone.check_tone(text) if i.kind != "long_sentence"]
    assert issues == [(kind, term) for _, kind, term in one_by_one]


SENTENCE_PARTS = st.sampled_from(["word"] * 40 + ["two words", "end.", "why?", "yes!", ".", " ", "  ",
                                  "\n", "\n\n", "\r\n", "\t", "https://x.example/a.b c"])  # fmt: skip


@given(st.lists(SENTENCE_PARTS, min_size=20, max_size=200).map(" ".join))
def test_long_sentences_found_line_by_line_are_those_of_the_whole_text(text: str) -> None:
    """The check splits lines first and passes over short ones; the sentences it flags
    must be those the sentence split of the whole text flags."""
    assert tone._long_sentences(text) == tone._long_sentences_in(text)


def test_a_long_sentence_over_lines_of_a_message_is_flagged_once() -> None:
    long = " ".join(["word"] * (MAX_SENTENCE_WORDS + 1))
    text = f"Hi.\nShort line.\n\n{long}. And short.\r\nTail {long}\n"
    flagged = [i.text for i in check_tone(text)]
    assert flagged == [f"{long}.", f"Tail {long}"]


MESSAGE_PARTS = st.sampled_from([*TERMS, *(t.upper() for t in TERMS), "Hi Ann,", "word", "end.",
                                 "\n", "\n\n", "\r\n", "-", "mrc-x", "https://x.example/a.b"])  # fmt: skip


@given(st.lists(st.lists(MESSAGE_PARTS, max_size=60).map(" ".join), min_size=1, max_size=8))
def test_a_checker_that_remembers_lines_finds_what_check_tone_finds(texts: list[str]) -> None:
    """The care run's ToneChecker checks each distinct line once and puts a message's issues
    together from its lines'; for every text, seen lines or not, it must answer exactly as
    check_tone does (same issues, same order)."""
    checker = tone.ToneChecker(max_lines=5)  # small: forgetting and starting again is tried too
    for text in [*texts, *texts]:
        assert checker.check(text) == check_tone(text)


def test_a_checker_flags_a_long_sentence_and_a_phrase_on_the_lines_they_are_on() -> None:
    long = " ".join(["word"] * (MAX_SENTENCE_WORDS + 1))
    text = f"Hi.\n{long}.\nPlease be advised.\nKindly {long}"
    checker = tone.ToneChecker()
    assert checker.check(text) == check_tone(text)
    kinds = [i.kind for i in checker.check(text)]
    assert kinds == ["phrase", "phrase", "long_sentence", "long_sentence"]
