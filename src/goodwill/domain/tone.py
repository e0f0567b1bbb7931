"""The tone check: does a message read like a friend wrote it, or a legal department?

It flags the stock phrases of corporate letters, sentences too long to read in one
breath, and industry jargon customers never use. It is a linter, not a censor: the
caller decides what to do with the issues (the care run prints a warning).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

IssueKind = Literal["phrase", "jargon", "long_sentence"]

MAX_SENTENCE_WORDS = 25

#: Corporate phrases and why each one puts people off.
CORPORATE_PHRASES: dict[str, str] = {
    "valued customer": "it says we don't know their name; use it",
    "dear customer": "it says we don't know their name; use it",
    "please be advised": "throat-clearing; just say the thing",
    "please note that": "throat-clearing; just say the thing",
    "we regret to inform you": "sounds like a letter from a bank; say sorry plainly",
    "at this time": "vague officialese; say 'now' or give the date",
    "at your earliest convenience": "stiff; say when, or 'when it suits you'",
    "do not hesitate": "a stock line nobody reads; say 'just reply' or 'call us'",
    "don't hesitate": "a stock line nobody reads; say 'just reply' or 'call us'",
    "as per": "officialese; say 'as' or 'like'",
    "kindly": "sounds like a demand dressed as a favour; say 'please'",
    "pursuant to": "legal language; say 'under' or leave it out",
    "in accordance with": "legal language; say 'under' or 'as'",
    "we apologise for any inconvenience": "a non-apology; say what went wrong and sorry",
    "we apologize for any inconvenience": "a non-apology; say what went wrong and sorry",
    "any inconvenience caused": "a non-apology; say what went wrong and sorry",
    "we are pleased to inform you": "stiff; just tell them the news",
    "your call is important to us": "everyone has learned it means the opposite",
    "going forward": "business-speak; say 'from now on'",
    "hereby": "legal language; leave it out",
    "aforementioned": "legal language; name the thing again",
    "herewith": "legal language; leave it out",
    "utilise": "say 'use'",
    "utilize": "say 'use'",
    "in order to": "say 'to'",
    "prior to": "say 'before'",
    "should you wish to": "stiff; say 'if you'd like to'",
    "with immediate effect": "officialese; say 'from today'",
}

#: Words from inside the business that customers do not use, and what to say instead.
JARGON: dict[str, str] = {
    "tariff migration": "say 'moving to a new plan'",
    "MRC": "monthly recurring charge: say 'monthly price'",
    "ARPU": "an internal revenue measure; customers should never see it",
    "bolt-on": "say 'extra' or 'add-on', and say what it gives",
    "OOB": "out of bundle: say 'outside your allowance'",
    "out of bundle": "say 'outside your allowance'",
    "pro rata": "say 'for the days you have it' or give the amount",
    "pro-rata": "say 'for the days you have it' or give the amount",
    "churn": "an internal word for customers leaving",
    "CPE": "say 'router' or 'phone'",
    "MSISDN": "say 'phone number'",
    "ICCID": "say 'SIM number'",
    "porting": "say 'moving your number'",
    "retention": "an internal word for keeping customers",
    "upsell": "an internal word for selling more",
    "SIMO": "say 'SIM-only'",
    "CLV": "an internal measure; customers should never see it",
}


@dataclass(frozen=True)
class ToneIssue:
    """One thing in a message that does not sound like a person: what, and why."""

    kind: IssueKind
    text: str  # the phrase, the jargon word, or the long sentence
    why: str

    def __str__(self) -> str:
        return f"{self.kind} {self.text!r}: {self.why}"


def _pattern(term: str) -> re.Pattern[str]:
    # Acronyms (all capitals) match only in capitals, so 'mrc' in a URL is not flagged.
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", flags)


_PHRASE_PATTERNS = [(_pattern(p), why) for p, why in CORPORATE_PHRASES.items()]
_JARGON_PATTERNS = [(_pattern(j), why) for j, why in JARGON.items()]
_WORD_CHECKS: tuple[tuple[IssueKind, str, list[tuple[re.Pattern[str], str]]], ...] = (
    ("phrase", "corporate phrase", _PHRASE_PATTERNS),
    ("jargon", "jargon", _JARGON_PATTERNS),
)
# Most messages are clean: a substring test per term (in C, microseconds) rules the
# regular expressions out, which keeps a run of a million messages fast.
_TERMS_ANY_CASE = tuple(t.lower() for t in (*CORPORATE_PHRASES, *JARGON) if not t.isupper())
_ACRONYMS = tuple(t for t in JARGON if t.isupper())


def _may_have_terms(text: str) -> bool:
    lowered = text.lower()
    return any(map(lowered.__contains__, _TERMS_ANY_CASE)) or any(map(text.__contains__, _ACRONYMS))


# A sentence ends at . ! ? followed by space, or at a line break (greetings, list items).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_URL = re.compile(r"\S+://\S+")


def check_tone(text: str) -> list[ToneIssue]:
    """Every tone issue in ``text``, phrases and jargon first, then long sentences.

    >>> [i.text for i in check_tone("Dear valued customer, please be advised.")]
    ['valued customer', 'please be advised']
    >>> check_tone("Hi Ann, you could save £4 a month.")
    []
    """
    return _word_issues(text) + _long_sentences(text)


class ToneChecker:
    """:func:`check_tone` for many messages written from the same templates, which share
    most of their lines: each distinct line is checked once, and a message's issues are
    put together from its lines' (a care run checks every message it writes).

    No issue spans a line break (no phrase or jargon term holds one, and a sentence ends
    at one), so a text's issues are its lines' issues in order: phrases and jargon of every
    line first, then the long sentences, exactly as :func:`check_tone` lists them.

    >>> checker = ToneChecker()
    >>> [i.text for i in checker.check("Hi Ann,\nPlease be advised: it's late.")]
    ['Please be advised']
    """

    def __init__(self, max_lines: int = 100_000) -> None:
        self._max_lines = max_lines  # forgets all and starts again past this many lines
        self._lines: dict[str, tuple[list[ToneIssue], list[ToneIssue]]] = {}

    def check(self, text: str) -> list[ToneIssue]:
        """Every tone issue in ``text``, as :func:`check_tone` finds them."""
        words: list[ToneIssue] = []
        long: list[ToneIssue] = []
        for line in text.split("\n"):
            found = self._lines.get(line)
            if found is None:
                if len(self._lines) >= self._max_lines:
                    self._lines.clear()
                found = self._lines[line] = (_word_issues(line), _long_sentences(line))
            words += found[0]
            long += found[1]
        return words + long


def _word_issues(text: str) -> list[ToneIssue]:
    """The corporate phrases and jargon in ``text``, in the order they appear."""
    if not _may_have_terms(text):
        return []
    found = [
        (m.start(), ToneIssue(kind, m.group(0), f"{label}: {why}"))
        for kind, label, patterns in _WORD_CHECKS
        for pattern, why in patterns
        for m in pattern.finditer(text)
    ]
    found.sort(key=lambda start_issue: start_issue[0])
    return [issue for _, issue in found]


def _long_sentences(text: str) -> list[ToneIssue]:
    # A sentence never runs over a line break, so a line of few words holds no long one:
    # most lines of a message are passed over without the (slower) sentence split.
    issues = []
    for line in text.split("\n"):
        if len(line.split()) > MAX_SENTENCE_WORDS:
            issues += _long_sentences_in(line)
    return issues


def _long_sentences_in(text: str) -> list[ToneIssue]:
    issues = []
    for sentence in _SENTENCE_END.split(text):
        if len(sentence.split()) <= MAX_SENTENCE_WORDS:
            continue  # no more tokens than the limit, so no more words
        words = _count_words(sentence)
        if words > MAX_SENTENCE_WORDS:
            issues.append(
                ToneIssue(
                    "long_sentence",
                    sentence.strip(),
                    f"{words} words; keep sentences to {MAX_SENTENCE_WORDS} or fewer",
                )
            )
    return issues


#: A word: a run of non-space holding a letter or digit (``[^\W_]`` is ``str.isalnum``).
_WORD = re.compile(r"\S*[^\W_]\S*")


def _count_words(sentence: str) -> int:
    # A link counts as one word; dashes and bullets on their own are not words.
    return len(_WORD.findall(_URL.sub("link", sentence)))
