"""Holdout assignment is deterministic, has the right share, and salts are independent."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from goodwill.domain.experiments import ExperimentSpec, assign_arm, experiment_for

N = 100_000
CUSTOMERS = [f"C{i:07d}" for i in range(N)]


def held_out(salt: str, percent: int) -> set[str]:
    return {c for c in CUSTOMERS if assign_arm(salt, c, percent) == "holdout"}


def within_4_sd(count: int, n: int, p: float) -> bool:
    return abs(count - n * p) <= 4 * math.sqrt(n * p * (1 - p))


def test_golden_assignments() -> None:
    """Recorded once from sha256("better_plan:C<i>"): a change here reshuffles live experiments."""
    pattern = "".join(
        "H" if assign_arm("better_plan", f"C{i}", 50) == "holdout" else "T" for i in range(40)
    )
    assert pattern == "TTTTTHHHTHHHHHHTTHHTTHTTTHTHHTHHHTTHTTTH"


def test_the_same_in_another_process_whatever_its_hash_seed() -> None:
    code = (
        "from goodwill.domain.experiments import assign_arm;"
        "print(''.join(assign_arm('s', f'C{i}', 50)[0] for i in range(40)))"
    )
    here = "".join(assign_arm("s", f"C{i}", 50)[0] for i in range(40))
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    ).stdout.strip()
    assert there == here


@pytest.mark.parametrize("percent", [1, 10, 50])
def test_the_holdout_share_is_within_binomial_bounds(percent: int) -> None:
    assert within_4_sd(len(held_out("better_plan", percent)), N, percent / 100)


def test_zero_and_hundred_percent_are_exact() -> None:
    assert all(assign_arm("x", c, 0) == "treatment" for c in CUSTOMERS[:1000])
    assert all(assign_arm("x", c, 100) == "holdout" for c in CUSTOMERS[:1000])


def test_a_bigger_holdout_contains_the_smaller_one() -> None:
    # Raising the share only moves treatment customers to holdout, never back.
    assert held_out("better_plan", 5) <= held_out("better_plan", 10)


def test_different_salts_give_independent_assignments() -> None:
    a, b = held_out("better_plan", 10), held_out("broken_promise", 10)
    assert within_4_sd(len(a & b), N, 0.1 * 0.1)


@pytest.mark.parametrize("percent", [-1, 101])
def test_a_percentage_out_of_range_is_refused(percent: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        assign_arm("x", "C1", percent)
    with pytest.raises(ValueError, match="between 0 and 100"):
        ExperimentSpec("better_plan", "x", percent)


def test_an_unconfigured_kind_gets_a_default_experiment_salted_by_its_name() -> None:
    configured = ExperimentSpec("better_plan", "2026-autumn", 20)
    experiments = {"better_plan": configured}
    assert experiment_for("better_plan", experiments) is configured
    assert experiment_for("broken_promise", experiments, 15) == ExperimentSpec(
        "broken_promise", "broken_promise", 15
    )
    assert configured.arm("C1") == assign_arm("2026-autumn", "C1", 20)
