"""The better-plan detector adds its cost reasons to the advice's evidence as JSON text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.analytics.detectors.better_plan import with_keys

KEYS = st.sampled_from(["a", "b", "over_kinds", "cost_reason", "é", "£", 'q"uote', ""])
LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner) | st.dictionaries(KEYS, inner))
OBJECTS = st.dictionaries(KEYS, VALUES)


@settings(max_examples=50, deadline=None)
@given(OBJECTS, OBJECTS, st.sampled_from([{}, {"separators": (",", ":")}, {"indent": 1}]))
def test_added_keys_read_as_the_evidence_updated(
    evidence: dict[str, Any], extra: dict[str, Any], style: dict[str, Any]
) -> None:
    """Read back, the text must be the evidence updated with ``extra``: same keys, same
    values, same order (a key already there keeps its place), however it was written."""
    got = json.loads(with_keys(json.dumps(evidence, ensure_ascii=False, **style), extra))
    want = {**evidence, **extra}
    assert got == want and list(got) == list(want)


@pytest.mark.parametrize("text", ["[1]", '"x"', "", "{"])
def test_evidence_that_is_not_an_object_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a JSON object"):
        with_keys(text, {"a": 1})
