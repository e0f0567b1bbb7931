"""A moment's evidence is frozen when the moment is made and thawed to be written as JSON."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodwill.domain.moments import FrozenDict, Moment, freeze, thaw
from goodwill.store.engine import store_json

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_thawing_frozen_evidence_gives_back_the_same_json(value: object) -> None:
    assert json.dumps(thaw(freeze(value))) == json.dumps(value)


#: Evidence as the store's JSON columns take it: integers within 64 bits, as money is.
STORED = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False,
    allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)  # fmt: skip


@given(STORED)
def test_frozen_evidence_is_stored_as_the_json_of_the_evidence(value: object) -> None:
    assert json.loads(store_json(freeze(value))) == value


def test_frozen_evidence_cannot_be_changed_at_any_depth() -> None:
    frozen = freeze({"plans": [{"plan_id": "P1", "tags": {"a"}}], "n": 3, "ok": True})
    assert isinstance(frozen, FrozenDict)
    plans = frozen["plans"]
    assert isinstance(plans, tuple) and isinstance(plans[0], FrozenDict)
    assert plans[0]["tags"] == frozenset({"a"}) and frozen["n"] == 3 and frozen["ok"] is True
    changes = [
        lambda d: d.__setitem__("n", 4),
        lambda d: d.__delitem__("n"),
        lambda d: d.update(n=4),
        lambda d: d.setdefault("m", 1),
        lambda d: d.pop("n"),
        lambda d: d.popitem(),
        lambda d: d.clear(),
        lambda d: d.__ior__({"n": 4}),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="read-only"):
            change(frozen)
    assert frozen["n"] == 3 and len(frozen) == 3


def test_frozen_evidence_survives_pickling_and_copying_frozen() -> None:
    """The render workers get moments pickled; a copy is as read-only as the original."""
    frozen = freeze({"plans": [{"plan_id": "P1"}], "n": 3})
    for again in (pickle.loads(pickle.dumps(frozen)), copy.copy(frozen), copy.deepcopy(frozen)):
        assert again == frozen and type(again) is FrozenDict
        assert type(again["plans"][0]) is FrozenDict  # type: ignore[index]
        with pytest.raises(TypeError):
            again["n"] = 4  # type: ignore[index]


def _holds_a_mutable(value: object) -> bool:
    if isinstance(value, FrozenDict):
        return any(_holds_a_mutable(v) for v in value.values())
    if isinstance(value, dict | list | set):
        return True
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
