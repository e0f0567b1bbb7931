"""A moment's evidence is frozen when the moment is made and thawed to be written as JSON."""

from __future__ import annotations

import dataclasses
import json
from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st

from goodwill.domain.moments import Moment, freeze, thaw

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_thawing_frozen_evidence_gives_back_the_same_json(value: object) -> None:
    assert json.dumps(thaw(freeze(value))) == json.dumps(value)


def test_frozen_evidence_cannot_be_changed_at_any_depth() -> None:
    frozen = freeze({"plans": [{"plan_id": "P1", "tags": {"a"}}], "n": 3, "ok": True})
    assert isinstance(frozen, MappingProxyType)
    plans = frozen["plans"]
    assert isinstance(plans, tuple) and isinstance(plans[0], MappingProxyType)
    assert plans[0]["tags"] == frozenset({"a"}) and frozen["n"] == 3 and frozen["ok"] is True


def _holds_a_mutable(value: object) -> bool:
    if isinstance(value, dict | list | set):
        return True
    if isinstance(value, MappingProxyType):
        return any(_holds_a_mutable(v) for v in value.values())
    return isinstance(value, tuple | frozenset) and any(_holds_a_mutable(v) for v in value)


@given(JSON)
def test_frozen_evidence_holds_no_dict_or_list_at_any_depth(value: object) -> None:
    """Plain items are kept without a call; a container among them is still frozen."""
    assert not _holds_a_mutable(freeze(value))


def test_a_moment_changed_by_replace_has_the_key_of_its_new_fields() -> None:
    """The key is kept once asked for; a moment made from another asks afresh."""
    moment = Moment("C1", "S1", "better_plan", "2026-11", 450, 450, "GBP")
    assert moment.dedupe_key == "better_plan:S1:2026-11"
    moved = dataclasses.replace(moment, subscription_id=None, detected_for="2026-12")
    assert moved.dedupe_key == "better_plan:C1:2026-12"
