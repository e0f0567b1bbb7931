"""Owners: continuity, fallback when away, load balancing, reassignment with notice."""

from __future__ import annotations

from datetime import date

from goodwill.domain.owners import Agent, OwnerPolicy, assign_all, choose_owner, keep_or_move

TODAY = date(2026, 3, 10)
SAM = Agent("A1", "Sam Patel", "sam@example.com", "care", phone="0161 555 0100")
ROS = Agent("A2", "Ros Kaur", "ros@example.com", "care")
LEE = Agent("A3", "Lee Chan", "lee@example.com", "care")
VAL = Agent("A9", "Val Ortiz", "val@example.com", "senior")
AGENTS = [SAM, ROS, LEE, VAL]


def away(agent: Agent, until: date) -> Agent:
    return Agent(agent.agent_id, agent.name, agent.email, agent.team, agent.phone, until)


def test_the_previous_owner_keeps_the_customer_even_when_busiest() -> None:
    choice = choose_owner(AGENTS, "care", {"A1": 40, "A2": 0}, TODAY, previous_id="A1")
    assert (choice.agent, choice.why) == (SAM, "continuity")
    assert choice.agent.owner.phone == "0161 555 0100"


def test_an_away_previous_owner_falls_back_to_the_least_loaded() -> None:
    agents = [away(SAM, TODAY), ROS, LEE, VAL]
    choice = choose_owner(agents, "care", {"A2": 3, "A3": 1}, TODAY, previous_id="A1")
    assert (choice.agent, choice.why) == (LEE, "least_loaded")


def test_back_the_day_after_away_until() -> None:
    sam = away(SAM, TODAY)
    assert not sam.available_on(TODAY)
    assert sam.available_on(date(2026, 3, 11))
    assert sam.days_away(TODAY) == 1


def test_least_loaded_ties_go_to_the_lowest_id_and_team_is_respected() -> None:
    assert choose_owner(AGENTS, "care", {}, TODAY).agent == SAM
    assert choose_owner(AGENTS, "senior", {"A9": 99}, TODAY).agent == VAL


def test_nobody_available_says_so() -> None:
    choice = choose_owner([away(VAL, TODAY)], "senior", {}, TODAY)
    assert (choice.agent, choice.why) == (None, "nobody_available")


def test_assign_all_spreads_new_cases_evenly() -> None:
    cases = [(f"T{n}", "care", None) for n in range(6)]
    chosen = assign_all(cases, AGENTS, {"A1": 1}, TODAY)
    counts = {a.agent_id: sum(c.agent == a for c in chosen.values()) for a in (SAM, ROS, LEE)}
    assert counts == {"A1": 2, "A2": 2, "A3": 2}
    assert chosen["T0"].agent == ROS  # A1 already had a case


def test_a_short_absence_keeps_the_case() -> None:
    sam = away(SAM, date(2026, 3, 12))  # away 3 days, today included
    choice = keep_or_move(sam, AGENTS, "care", {}, TODAY, OwnerPolicy(max_away_days=3))
    assert (choice.agent, choice.why, choice.tell_customer) == (sam, "kept_while_away", False)


def test_a_long_absence_moves_the_case_and_tells_the_customer() -> None:
    sam = away(SAM, date(2026, 3, 13))  # 4 days
    choice = keep_or_move(sam, [sam, ROS, LEE], "care", {"A2": 5}, TODAY, OwnerPolicy(3))
    assert (choice.agent, choice.previous, choice.tell_customer) == (LEE, sam, True)


def test_a_long_absence_with_nobody_to_take_over_keeps_the_owner() -> None:
    sam = away(SAM, date(2026, 4, 30))
    choice = keep_or_move(sam, [sam, VAL], "care", {}, TODAY)
    assert (choice.agent, choice.tell_customer) == (sam, False)
